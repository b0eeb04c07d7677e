package campaign

import (
	"fmt"
	"sort"
	"strings"

	"github.com/raftlab/raftlab/scenarios"
)

// Sets are the named scenario sets a campaign accepts in place of scenario
// names. This is the one place to define them; each returns scenario names.
var Sets = map[string]func() []string{
	// ci: the two fastest scenarios, one that must stay linearizable and
	// one that must be caught, so a short campaign still proves both ways.
	"ci": func() []string { return []string{"kill-leader", "stale-reads"} },
	// nightly: every built-in scenario.
	"nightly": scenarios.Names,
	// all: every built-in scenario (nightly may later drop slow ones).
	"all": scenarios.Names,
}

// SetNames returns the names of the sets, sorted.
func SetNames() []string {
	names := make([]string, 0, len(Sets))
	for n := range Sets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resolve expands a comma-separated list of scenario and set names into
// scenario names, in the order given, without duplicates. An unknown name
// is an error listing what is known.
func Resolve(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if set, ok := Sets[item]; ok {
			for _, n := range set() {
				add(n)
			}
			continue
		}
		if _, ok := scenarios.Lookup(item); !ok {
			return nil, fmt.Errorf("unknown scenario or set %q (scenarios: %s; sets: %s)",
				item, strings.Join(scenarios.Names(), ", "), strings.Join(SetNames(), ", "))
		}
		add(item)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scenarios given")
	}
	return out, nil
}
