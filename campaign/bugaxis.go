package campaign

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/raftlab/raftlab/scenarios"
)

// Unmodified is the Bug of a self-test job that runs the store as it is:
// the baseline a planted bug's catch is measured against.
const Unmodified = "unmodified"

// A BugAxis is the self-test's part of a matrix: each planted bug through
// its own scenarios, and the unmodified store (Bug Unmodified) through the
// same ones, with the axis's seeds. A self-test is a campaign whose matrix
// has only this part; a nightly page merges it with a campaign's. Its
// seeds and duration are its own, so that it merges with a campaign that
// has others.
type BugAxis struct {
	Bugs  []BugScenarios `json:"bugs"`
	Seeds []uint64       `json:"seeds"`
	// Duration, if set, replaces every scenario's workload duration.
	Duration time.Duration `json:"duration_ns,omitempty"`
}

// BugScenarios are the scenarios a planted bug (or the unmodified store)
// runs through.
type BugScenarios struct {
	Bug       string   `json:"bug"`
	Scenarios []string `json:"scenarios"`
}

// jobs lists the axis seed by seed (as Matrix.Jobs), numbered from first.
func (a *BugAxis) jobs(first int) []Job {
	var jobs []Job
	if a == nil {
		return nil
	}
	for _, seed := range a.Seeds {
		for _, b := range a.Bugs {
			for _, s := range b.Scenarios {
				jobs = append(jobs, Job{Index: first + len(jobs), Bug: b.Bug, Scenario: s, Seed: seed})
			}
		}
	}
	return jobs
}

func (a *BugAxis) equal(o *BugAxis) bool {
	if a == nil || o == nil {
		return a == o
	}
	return a.Duration == o.Duration && slices.Equal(a.Seeds, o.Seeds) &&
		slices.EqualFunc(a.Bugs, o.Bugs, func(x, y BugScenarios) bool {
			return x.Bug == y.Bug && slices.Equal(x.Scenarios, y.Scenarios)
		})
}

// Planted reports whether the job runs a planted bug (not the unmodified
// store, not a plain campaign run).
func (j Job) Planted() bool { return j.Bug != "" && j.Bug != Unmodified }

// Label is the job as a line of progress or a heading says it:
// "kill-leader seed 3", "bug-x × kill-leader seed 3".
func (j Job) Label() string {
	if j.Bug == "" {
		return fmt.Sprintf("%s seed %d", j.Scenario, j.Seed)
	}
	b := j.Bug
	if b == Unmodified {
		b = "unmodified store"
	}
	return fmt.Sprintf("%s × %s seed %d", b, j.Scenario, j.Seed)
}

// Arm returns s with the planted bug switched on at start in every node
// (raftkv -failpoints=BUG=on; the lab's image is the failpoint build).
// Unmodified and "" leave s as it is.
func Arm(s scenarios.Scenario, bug string) scenarios.Scenario {
	if bug == "" || bug == Unmodified {
		return s
	}
	return scenarios.ArmBug(s, bug)
}

// bugShort is a bug's name without its "bug-" prefix, for folder names.
func bugShort(bug string) string { return strings.TrimPrefix(bug, "bug-") }
