package scenarios

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Named sets of built-in scenarios, for `go test ./scenarios`
// (RAFTLAB_SCENARIOS), `chaoslab campaign --scenarios` and the nightly job.
// A set is chosen by name; a comma-separated list of scenario names is
// accepted wherever a set is.
var sets = map[string]struct {
	desc string
	pick func(Scenario) bool
}{
	"ci":        {"the scenarios `go test ./scenarios` runs by default: every fault family, short runs", func(s Scenario) bool { return s.CI }},
	"all":       {"every built-in scenario", func(Scenario) bool { return true }},
	"nightly":   {"every built-in scenario (the nightly campaign runs them with longer durations and many seeds)", func(Scenario) bool { return true }},
	"safe":      {"the scenarios that must stay linearizable", func(s Scenario) bool { return s.Expect == ExpectLinearizable }},
	"must-fail": {"the scenarios broken on purpose, which must be caught", func(s Scenario) bool { return s.Expect.MustFail() }},
}

// SetNames returns the names of the named sets, sorted.
func SetNames() []string {
	names := make([]string, 0, len(sets))
	for n := range sets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SetDescription is one line about a named set ("" for an unknown name).
func SetDescription(name string) string { return sets[name].desc }

// Select returns the scenarios a set name or a comma-separated list of
// scenario (or set) names stands for, in order, without duplicates.
func Select(spec string) ([]Scenario, error) {
	var out []Scenario
	add := func(s Scenario) {
		if !slices.ContainsFunc(out, func(o Scenario) bool { return o.Name == s.Name }) {
			out = append(out, s)
		}
	}
	for _, name := range strings.Split(spec, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if set, ok := sets[name]; ok {
			for _, s := range All() {
				if set.pick(s) {
					add(s)
				}
			}
			continue
		}
		s, ok := Lookup(name)
		if !ok {
			return nil, fmt.Errorf("unknown scenario or set %q (sets: %s; scenarios: %s)", name,
				strings.Join(SetNames(), ", "), strings.Join(Names(), ", "))
		}
		add(s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scenario in %q", spec)
	}
	return out, nil
}
