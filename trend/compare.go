package trend

import (
	"fmt"
	"sort"

	"github.com/raftlab/raftlab/campaign"
)

// Wilson is campaign.Wilson: the 95% interval of k catches in n runs.
func Wilson(k, n int) (lo, hi float64) { return campaign.Wilson(k, n) }

// Regressions compares tonight with the night before and lists what fails
// the job:
//   - a planted bug whose catch rate dropped beyond chance: tonight's rate
//     is lower and last night's rate lies above tonight's 95% interval
//     (2 of 3 after 3 of 3 fails; 1 of 3 after 2 of 3 does not: too few
//     runs to tell);
//   - a bug caught last night and not run tonight (the power is unknown);
//   - a scenario with false alarms tonight and none the night before.
func Regressions(prev, now Line) []string {
	var out []string
	for _, name := range sortedKeys(prev.Bugs) {
		p := prev.Bugs[name]
		n, ok := now.Bugs[name]
		if !ok || n.Runs == 0 {
			if p.Caught > 0 {
				out = append(out, fmt.Sprintf("%s: caught %d of %d last night, not run tonight", name, p.Caught, p.Runs))
			}
			continue
		}
		if _, hi := Wilson(n.Caught, n.Runs); n.Rate() < p.Rate() && p.Rate() > hi {
			out = append(out, fmt.Sprintf("%s: caught %d of %d tonight (95%% up to %.0f%%), %d of %d last night", name, n.Caught, n.Runs, 100*hi, p.Caught, p.Runs))
		}
	}
	for _, name := range sortedKeys(now.Scenarios) {
		n := now.Scenarios[name]
		if n.FalseAlarms > 0 && prev.Scenarios[name].FalseAlarms == 0 {
			out = append(out, fmt.Sprintf("%s: %d new false alarm(s) in %d runs (none last night)", name, n.FalseAlarms, n.Runs))
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
