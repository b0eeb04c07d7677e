package selftest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/bugs"
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
	s, ok := scenarios.Lookup("disk-truncate-one") // has its own node settings: kept
	require.True(t, ok)
	armed := Arm(s, "bug-a")
	assert.Equal(t, []scenarios.StartFailpoint{{Name: "bug-a", Term: "on"}}, armed.Failpoints)
	assert.Equal(t, s.Node, armed.Node)
	assert.Empty(t, s.Failpoints, "the built-in scenario is untouched")
	assert.Empty(t, Arm(scenarios.Scenario{}, Baseline).Failpoints, "the baseline runs the store as it is")
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
	var arms []string
	for _, fp := range s.Failpoints {
		arms = append(arms, "-failpoints="+fp.Name+"="+fp.Term)
	}
	args := strings.Join(arms, " ")
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
	assert.Contains(t, text.String(), "unmodified store: 4 of 6 runs clean; false alarms: 1; errors: 1")
	assert.Contains(t, js.String(), `"false_alarms": 1`)
	// RAFTLAB_SELFTEST_PAGE=/some/file.html keeps this page to look at.
	if p := os.Getenv("RAFTLAB_SELFTEST_PAGE"); p != "" {
		require.NoError(t, os.WriteFile(p, page.Bytes(), 0o644))
	}
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

// The dishonest path "an errored or unknown baseline run counted as clean":
// an unmodified store whose runs all errored, or came back unknown, or
// whose faults did not take effect, shows no clean run, and the page, text
// and JSON say so with their own counts.
func TestErroredOrUnknownBaselineRunsAreNeverClean(t *testing.T) {
	c := Case{Bug: Baseline, Scenario: "kill-leader"}
	clean := &report.Summary{Verdict: linearizability.Linearizable, Converged: true}
	unknown := &report.Summary{Verdict: linearizability.Unknown, Converged: true}
	noFaults := &report.Summary{Verdict: linearizability.Linearizable, Converged: true,
		FaultEffect: &report.FaultEffect{Windows: 3, Failed: 3, Needed: 2, Detail: "0 of 3 fault windows took effect"}}
	var outs []Outcome
	for seed, r := range []struct {
		sum *report.Summary
		err error
	}{{nil, fmt.Errorf("docker went away")}, {unknown, nil}, {noFaults, nil}, {clean, nil}} {
		c.Seed = uint64(seed + 1)
		outs = append(outs, judge(c, r.sum, r.err))
	}
	assert.Equal(t, []Class{ClassError, ClassUnknown, ClassUnknown, ClassClean},
		[]Class{outs[0].Class(), outs[1].Class(), outs[2].Class(), outs[3].Class()})
	assert.Equal(t, "unknown: too few faults took effect: 0 of 3 fault windows took effect", outs[2].Word())

	m := Aggregate(nil, outs)
	assert.Zero(t, m.FalseAlarms)
	assert.False(t, m.BaselineShown(), "one clean run of four does not show the store clean")
	assert.Equal(t, Cell{Bug: Baseline, Scenario: "kill-leader", Runs: 4, Clean: 1, Unknown: 2, Errors: 1}, m.Baseline[0])
	var page, text, js bytes.Buffer
	require.NoError(t, m.WriteHTML(&page, ""))
	require.NoError(t, m.WriteText(&text))
	require.NoError(t, m.WriteJSON(&js))
	assert.Contains(t, text.String(), "unmodified store: 1 of 4 runs clean; false alarms: 0; unknown: 2; errors: 1 — NOT shown clean")
	assert.Contains(t, page.String(), `class="sum partial"`)
	assert.Contains(t, page.String(), `<td class="n partial">1 of 4</td>`)
	assert.Contains(t, js.String(), `"baseline_clean": 1`)
	assert.Contains(t, js.String(), `"baseline_errors": 1`)
	assert.Contains(t, js.String(), `"baseline_unknown": 2`)

	// All errored: nothing is shown.
	m = Aggregate(nil, outs[:1])
	assert.False(t, m.BaselineShown())
	assert.Equal(t, "0 of 1 runs clean; false alarms: 0; errors: 1 — NOT shown clean: only clean runs count", m.BaselineLine())

	// A planted bug whose run tested nothing is unknown, not missed; a
	// catch stands whatever the faults did.
	b := Case{Bug: "bug-a", Scenario: "kill-leader", Seed: 1}
	assert.Equal(t, ClassUnknown, judge(b, noFaults, nil).Class())
	caught := *noFaults
	caught.Verdict = linearizability.NotLinearizable
	assert.Equal(t, ClassCaught, judge(b, &caught, nil).Class())
}
