package selftest

import (
	"fmt"
	"slices"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/scenarios"
)

// Baseline is the Bug of a case that runs the unmodified store.
const Baseline = ""

// A Case is one run: a planted bug (Baseline: none) in one scenario with
// one seed.
type Case struct {
	Bug      string `json:"bug"`
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
}

func (c Case) String() string {
	b := c.Bug
	if b == Baseline {
		b = "unmodified store"
	}
	return fmt.Sprintf("%s × %s seed %d", b, c.Scenario, c.Seed)
}

// Plan lists the runs for the given bugs: each bug in each of its scenarios
// that exists and must stay linearizable (the others are returned in
// missing, with the reason), seeds 1..seeds,
// then, with baseline, the unmodified store in every scenario used, with
// the same seeds. The order is the bug order, then the scenario order, then
// the seed: runs of one cell come together.
//
// perBug > 0 keeps only each bug's first perBug usable scenarios (the
// catalogue lists the likeliest catcher first): a cheaper matrix.
func Plan(bs []bugs.Bug, seeds int, baseline bool, perBug int) (cases []Case, missing []string) {
	var used []string
	for _, b := range bs {
		taken := 0
		for _, name := range b.Scenarios {
			if perBug > 0 && taken == perBug {
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
			taken++
			if !slices.Contains(used, name) {
				used = append(used, name)
			}
			for s := 1; s <= seeds; s++ {
				cases = append(cases, Case{Bug: b.Name, Scenario: name, Seed: uint64(s)})
			}
		}
	}
	if baseline {
		for _, name := range used {
			for s := 1; s <= seeds; s++ {
				cases = append(cases, Case{Bug: Baseline, Scenario: name, Seed: uint64(s)})
			}
		}
	}
	return cases, missing
}

// Arm returns s with the bug switched on at start in every node
// (raftkv -failpoints=BUG=on; the lab's image is the failpoint build).
func Arm(s scenarios.Scenario, bug string) scenarios.Scenario {
	if bug == Baseline {
		return s
	}
	return scenarios.ArmBug(s, bug)
}
