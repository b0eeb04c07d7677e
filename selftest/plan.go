package selftest

import (
	"slices"
	"time"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/campaign"
	"github.com/raftlab/raftlab/scenarios"
)

// Plan is the self-test's matrix for the given bugs: each bug in each of
// its scenarios that exists and must stay linearizable (the others are
// returned in missing, with the reason), seeds 1..seeds, then, with
// baseline, the unmodified store in every scenario used, with the same
// seeds. duration, if set, replaces each scenario's workload duration.
// campaign.Execute runs it, as it runs any campaign.
//
// perBug > 0 keeps only each bug's first perBug usable scenarios (the
// catalogue lists the likeliest catcher first): a cheaper matrix.
func Plan(bs []bugs.Bug, seeds int, baseline bool, perBug int, duration time.Duration) (m campaign.Matrix, missing []string) {
	axis := &campaign.BugAxis{Seeds: campaign.Seeds(1, seeds), Duration: duration}
	var used []string
	for _, b := range bs {
		row := campaign.BugScenarios{Bug: b.Name}
		for _, name := range b.Scenarios {
			if perBug > 0 && len(row.Scenarios) == perBug {
				break
			}
			s, ok := scenarios.Lookup(name)
			if !ok {
				missing = append(missing, b.Name+": "+name+" (no such scenario)")
				continue
			}
			if s.Expect != scenarios.ExpectLinearizable {
				// A scenario broken on purpose fails without any bug: it
				// cannot tell whether the bug was caught.
				missing = append(missing, b.Name+": "+name+" (broken on purpose; not a measure)")
				continue
			}
			row.Scenarios = append(row.Scenarios, name)
			if !slices.Contains(used, name) {
				used = append(used, name)
			}
		}
		if len(row.Scenarios) > 0 {
			axis.Bugs = append(axis.Bugs, row)
		}
	}
	if baseline && len(used) > 0 {
		axis.Bugs = append(axis.Bugs, campaign.BugScenarios{Bug: campaign.Unmodified, Scenarios: used})
	}
	if len(axis.Bugs) > 0 {
		m.SelfTest = axis
	}
	return m, missing
}
