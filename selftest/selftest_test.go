package selftest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
)

var testBugs = []bugs.Bug{
	{Name: "bug-a", Description: "a", Report: "r", Scenarios: []string{"kill-leader", "long-pause"}},
	{Name: "bug-b", Description: "b", Report: "r", Scenarios: []string{"long-pause", "no-such-scenario", "stale-reads"}},
}

func TestPlanCoversEveryBugScenarioAndSeedThenTheBaseline(t *testing.T) {
	cases, missing := Plan(testBugs, 2, true, 0)
	assert.Equal(t, []string{"bug-b: no-such-scenario (no such scenario)", "bug-b: stale-reads (broken on purpose; not a measure)"}, missing)
	var got []string
	for _, c := range cases {
		got = append(got, c.String())
	}
	assert.Equal(t, []string{
		"bug-a × kill-leader seed 1", "bug-a × kill-leader seed 2",
		"bug-a × long-pause seed 1", "bug-a × long-pause seed 2",
		"bug-b × long-pause seed 1", "bug-b × long-pause seed 2",
		"unmodified store × kill-leader seed 1", "unmodified store × kill-leader seed 2",
		"unmodified store × long-pause seed 1", "unmodified store × long-pause seed 2",
	}, got)
}

func TestArmSwitchesTheBugOnInEveryNode(t *testing.T) {
	s, ok := scenarios.Lookup("disk-truncate-one") // has its own cluster options: kept
	require.True(t, ok)
	armed := Arm(s, "bug-a")
	o := armed.Cluster(cluster.Options{ExtraArgs: []string{"-x"}})
	assert.Equal(t, []string{"-x", "-failpoints=bug-a=on"}, o.ExtraArgs)
	assert.Equal(t, s.Cluster(cluster.Options{}).SnapshotThreshold, o.SnapshotThreshold)
	assert.Nil(t, Arm(scenarios.Scenario{}, Baseline).Cluster, "the baseline runs the store as it is")
}

// fakeRunner answers with a violation when the armed failpoint is in
// catches, else with a clean run; it records what it was asked.
type fakeRunner struct {
	mu      sync.Mutex
	catches map[string]bool
	asked   []string
}

func (f *fakeRunner) Run(_ context.Context, s scenarios.Scenario, o scenarios.Options) (*report.Summary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	args := ""
	if s.Cluster != nil {
		args = strings.Join(s.Cluster(cluster.Options{}).ExtraArgs, " ")
	}
	f.asked = append(f.asked, fmt.Sprintf("%s %d %s", s.Name, o.Seed, args))
	sum := &report.Summary{Verdict: linearizability.Linearizable, Converged: true}
	for bug := range f.catches {
		if strings.Contains(args, bug+"=on") && (o.Seed != 2 || bug != "bug-b") {
			d := float64(o.Seed)
			sum.Verdict, sum.FirstViolation = linearizability.NotLinearizable, &d
		}
	}
	if s.Name == "kill-leader" && o.Seed == 3 && args == "" {
		return nil, fmt.Errorf("docker went away")
	}
	return sum, nil
}

func TestRunAndAggregate(t *testing.T) {
	fr := &fakeRunner{catches: map[string]bool{"bug-a": true, "bug-b": true}}
	cases, _ := Plan(testBugs, 3, true, 0)
	var prog bytes.Buffer
	outs := Run(context.Background(), cases, Options{Out: t.TempDir(), Runner: fr, Progress: &prog})
	require.Len(t, outs, len(cases))
	assert.Contains(t, fr.asked, "long-pause 2 -failpoints=bug-b=on")
	assert.Contains(t, fr.asked, "long-pause 1 ")
	assert.Contains(t, prog.String(), "[10/15]")

	m := Aggregate(testBugs, outs)
	require.Len(t, m.Bugs, 2)
	a, b := m.Bugs[0], m.Bugs[1]
	assert.Equal(t, 3, a.CaughtSeeds)
	require.Len(t, a.Cells, 2)
	assert.Equal(t, Cell{Bug: "bug-a", Scenario: "kill-leader", Runs: 3, Caught: 3, MedianDetect: ptr(2)}, a.Cells[0])
	assert.Equal(t, 2, b.Cells[0].Caught, "bug-b is missed with seed 2")
	assert.Equal(t, []string{"bug-b"}, m.Weak(0.9))
	assert.Zero(t, m.FalseAlarms)
	require.Len(t, m.Baseline, 2)
	assert.Equal(t, 1, m.Baseline[0].Errors, "a run that could not be carried out is counted, not hidden")

	// A false alarm on the unmodified store is counted and shown.
	outs[len(outs)-1].Caught = true
	m = Aggregate(testBugs, outs)
	assert.Equal(t, 1, m.FalseAlarms)

	var page, text, js bytes.Buffer
	require.NoError(t, m.WriteHTML(&page, ""))
	require.NoError(t, m.WriteText(&text))
	require.NoError(t, m.WriteJSON(&js))
	assert.Contains(t, page.String(), "bug-a")
	assert.Contains(t, page.String(), "FALSE ALARM")
	assert.Contains(t, text.String(), "false alarms on the unmodified store: 1")
	assert.Contains(t, js.String(), `"false_alarms": 1`)
}

func TestJudge(t *testing.T) {
	c := Case{Bug: "bug-a", Scenario: "kill-leader", Seed: 1}
	assert.Equal(t, "error: boom", judge(c, nil, fmt.Errorf("boom")).Word())
	assert.Equal(t, "missed", judge(c, &report.Summary{Verdict: linearizability.Linearizable, Converged: true}, nil).Word())
	assert.Equal(t, "caught", judge(c, &report.Summary{Verdict: linearizability.NotLinearizable}, nil).Word())
	div := &report.Summary{Verdict: linearizability.Linearizable}
	div.Convergence.Diverged = []string{"k1"}
	assert.Equal(t, "caught", judge(c, div, nil).Word(), "replicas that disagree are a catch too")
	c.Bug = Baseline
	assert.Equal(t, "clean", judge(c, &report.Summary{Verdict: linearizability.Linearizable, Converged: true}, nil).Word())
	assert.Equal(t, "FALSE ALARM", judge(c, &report.Summary{Verdict: linearizability.NotLinearizable}, nil).Word())
	assert.Equal(t, "unknown", judge(c, &report.Summary{Verdict: linearizability.Unknown, Converged: true}, nil).Word())

	// Judged by contracts: stale reads that are merely not linearizable are
	// clean on the unmodified store; a broken stale contract is a catch.
	stale := &report.Summary{Verdict: linearizability.NotLinearizable, Contract: readcheck.OK, Converged: true}
	assert.Equal(t, "clean", judge(c, stale, nil).Word())
	c.Bug = "bug-a"
	assert.Equal(t, "missed", judge(c, stale, nil).Word())
	broken := &report.Summary{Verdict: linearizability.NotLinearizable, Contract: readcheck.Violated, Converged: true}
	assert.Equal(t, "caught", judge(c, broken, nil).Word())
	undecided := &report.Summary{Verdict: linearizability.Unknown, Contract: readcheck.Unknown, Converged: true}
	assert.Equal(t, "unknown", judge(c, undecided, nil).Word())
}

func ptr(v float64) *float64 { return &v }

func TestPlanCanKeepTheFirstScenariosOfEachBug(t *testing.T) {
	cases, _ := Plan(testBugs, 1, false, 1)
	var got []string
	for _, c := range cases {
		got = append(got, c.String())
	}
	assert.Equal(t, []string{"bug-a × kill-leader seed 1", "bug-b × long-pause seed 1"}, got)
}
