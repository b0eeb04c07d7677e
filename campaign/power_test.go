package campaign

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
)

// bugRunner answers a run with answer(bug armed, scenario, seed) and
// records what it was asked: the scenario, the seed and the node's extra
// arguments (where the planted bug is switched on).
type bugRunner struct {
	mu     sync.Mutex
	asked  []string
	answer func(bug, scenario string, seed uint64) (*report.Summary, error)
}

func (f *bugRunner) Run(_ context.Context, s scenarios.Scenario, seed uint64, dir string, _ io.Writer) (*report.Summary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	args := ""
	for _, fp := range s.Failpoints {
		args = strings.TrimSpace(args + " -failpoints=" + fp.Name + "=" + fp.Term)
	}
	f.asked = append(f.asked, strings.TrimSpace(fmt.Sprintf("%s %d %s", s.Name, seed, args)))
	bug, _ := strings.CutPrefix(args, "-failpoints=")
	bug, _ = strings.CutSuffix(bug, "=on")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, report.ReportFile), []byte("<html>report</html>"), 0o644); err != nil {
		return nil, err
	}
	return f.answer(bug, s.Name, seed)
}

func clean() *report.Summary {
	return &report.Summary{Verdict: linearizability.Linearizable, Contract: readcheck.OK, Converged: true, AsExpected: true}
}

func caught(at float64) *report.Summary {
	return &report.Summary{Verdict: linearizability.NotLinearizable, Contract: readcheck.Violated, Converged: true, FirstViolation: &at}
}

var powerAxis = &BugAxis{
	Bugs: []BugScenarios{
		{Bug: "bug-a", Scenarios: []string{"kill-leader", "long-pause"}},
		{Bug: "bug-b", Scenarios: []string{"long-pause"}},
		{Bug: Unmodified, Scenarios: []string{"kill-leader", "long-pause"}},
	},
	Seeds:    Seeds(1, 3),
	Duration: 5 * time.Second,
}

// runAxis runs the bug axis through Execute, the campaign's one driver.
func runAxis(t *testing.T, f *bugRunner, attempts int) (*Manifest, string) {
	t.Helper()
	out := t.TempDir()
	m := NewManifest(Matrix{SelfTest: powerAxis}, Shard{}, "chaoslab selftest")
	require.NoError(t, m.Matrix.Validate())
	require.NoError(t, Execute(context.Background(), m, Options{Out: out, Runner: f, Attempts: attempts,
		Checkpoint: func(m *Manifest) error { return Write(out, m) }}))
	return m, out
}

func TestTheBugAxisRunsThroughTheCampaignDriver(t *testing.T) {
	f := &bugRunner{answer: func(bug, sc string, seed uint64) (*report.Summary, error) {
		switch {
		case bug == "bug-b" && seed == 2:
			return clean(), nil // bug-b is missed with seed 2
		case bug != "":
			return caught(float64(seed)), nil
		case sc == "kill-leader" && seed == 3:
			return nil, fmt.Errorf("docker went away")
		}
		return clean(), nil
	}}
	m, out := runAxis(t, f, 3)
	require.Len(t, m.Results, 15)
	assert.Len(t, f.asked, 15, "a planted bug's miss is one sample, never retried into a catch")
	assert.Contains(t, f.asked, "long-pause 2 -failpoints=bug-b=on")
	assert.Contains(t, f.asked, "long-pause 1", "the unmodified store runs as it is")

	p := m.Power()
	require.NotNil(t, p)
	require.Len(t, p.Bugs, 2)
	a, b := p.Bugs[0], p.Bugs[1]
	assert.Equal(t, 3, a.CaughtSeeds)
	require.Len(t, a.Cells, 2)
	c := a.Cells[0]
	assert.Equal(t, [7]int{3, 3, 0, 0, 0, 0, 0}, [7]int{c.Runs, c.Caught, c.Clean, c.Missed, c.Unknown, c.Errors, c.NotRun})
	assert.Equal(t, 2.0, *c.MedianDetect)
	assert.Equal(t, 3.0, *c.WorstDetect, "the worst time to the first violation beside the median")
	assert.Equal(t, 2, b.Cells[0].Caught)
	assert.Equal(t, 1, b.Cells[0].Missed)
	assert.Equal(t, []string{"bug-b"}, p.Weak(0.9))
	assert.Zero(t, p.FalseAlarms)
	require.Len(t, p.Baseline, 2)
	assert.Equal(t, 1, p.Baseline[0].Errors, "a run that could not be carried out is counted, not hidden")
	assert.Equal(t, 2, p.Baseline[0].Clean)
	assert.False(t, p.BaselineShown())

	// The campaign's files carry it: the page's bug section, the text, the
	// JSON manifest, JUnit (a suite per planted bug) and the summary.
	page, err := os.ReadFile(filepath.Join(out, PageFile))
	require.NoError(t, err)
	assert.Contains(t, string(page), "Detection power")
	assert.Contains(t, string(page), "2 of 3")
	assert.Contains(t, string(page), "21–94%", "the 95% interval of 2 of 3")
	assert.Contains(t, string(page), "2.0 / 3.0 s")
	assert.Contains(t, string(page), `href="runs/b--long-pause-s2/report.html">seed 2: planted bug missed`)
	assert.NotContains(t, string(page), "Scenario × seed", "no plain part: no empty matrix")
	var text bytes.Buffer
	require.NoError(t, p.WriteText(&text))
	assert.Contains(t, text.String(), "unmodified store: 5 of 6 runs clean; false alarms: 0; errors: 1 — NOT shown clean")
	junit, err := os.ReadFile(filepath.Join(out, JUnitFile))
	require.NoError(t, err)
	assert.Contains(t, string(junit), `name="chaoslab.selftest.bug-b"`)
	md, err := os.ReadFile(filepath.Join(out, MarkdownFile))
	require.NoError(t, err)
	assert.Contains(t, string(md), "| bug-b | `long-pause` | 2 of 3 |")

	// A false alarm on the unmodified store is counted and shown.
	again, err := ReadManifest(out)
	require.NoError(t, err)
	last := &again.Results[len(again.Results)-1]
	require.Equal(t, Unmodified, last.Bug)
	last.Status, last.Reason = judgeBugRun(last.Job, caught(1))
	p = again.Power()
	assert.Equal(t, 1, p.FalseAlarms)
	var buf bytes.Buffer
	require.NoError(t, WritePage(&buf, again))
	assert.Contains(t, buf.String(), "FALSE ALARM")
	js, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"false_alarms":1`)
}

func TestJudgeBugRun(t *testing.T) {
	planted := Job{Bug: "bug-a", Scenario: "kill-leader", Seed: 1}
	base := Job{Bug: Unmodified, Scenario: "kill-leader", Seed: 1}
	word := func(j Job, sum *report.Summary, err error) string {
		r := Result{Job: j}
		r.record(sum, err, time.Second)
		return string(r.Status) + ": " + runWord(r)
	}
	assert.Equal(t, "error: error", word(planted, nil, fmt.Errorf("boom")))
	assert.Equal(t, "fail: planted bug missed", word(planted, clean(), nil))
	assert.Equal(t, "pass: planted bug caught", word(planted, caught(1), nil))
	div := clean()
	div.Convergence.Diverged = []string{"k1"}
	assert.Equal(t, "pass: planted bug caught", word(planted, div, nil), "replicas that disagree are a catch too")
	assert.Equal(t, "pass: clean", word(base, clean(), nil))
	assert.Equal(t, "fail: FALSE ALARM", word(base, caught(1), nil))
	undecided := &report.Summary{Verdict: linearizability.Unknown, Contract: readcheck.Unknown, Converged: true}
	assert.Equal(t, "unknown: unknown", word(base, undecided, nil))
	assert.Equal(t, "unknown: unknown", word(planted, undecided, nil), "an undecided run is no miss")
	unread := clean()
	unread.Converged = false
	assert.Equal(t, "unknown: unknown", word(base, unread, nil), "keys not read everywhere: the run says nothing")

	// The run's own "as expected" is against its scenario, not the job.
	r := Result{Job: planted}
	sum := clean()
	sum.Outcome = "linearizable, replicas converged — as expected"
	r.record(sum, nil, time.Second)
	assert.Equal(t, "planted bug missed — linearizable, replicas converged", r.Message())

	// Judged by contracts: stale reads that are merely not linearizable are
	// clean on the unmodified store and no catch of a planted bug.
	stale := &report.Summary{Verdict: linearizability.NotLinearizable, Contract: readcheck.OK, Converged: true}
	assert.Equal(t, "pass: clean", word(base, stale, nil))
	assert.Equal(t, "fail: planted bug missed", word(planted, stale, nil))
}

// The dishonest path "an errored or unknown baseline run counted as clean":
// an unmodified store whose runs errored, came back unknown, or whose
// faults did not take effect shows no clean run, and the page, text and
// JSON say so with their own counts.
func TestErroredOrUnknownBaselineRunsAreNeverClean(t *testing.T) {
	noFaults := clean()
	noFaults.FaultEffect = &report.FaultEffect{Windows: 3, Failed: 3, Needed: 2, Detail: "0 of 3 fault windows took effect"}
	answers := []func() (*report.Summary, error){
		func() (*report.Summary, error) { return nil, fmt.Errorf("docker went away") },
		func() (*report.Summary, error) {
			return &report.Summary{Verdict: linearizability.Unknown, Contract: readcheck.Unknown, Converged: true}, nil
		},
		func() (*report.Summary, error) { return noFaults, nil },
		func() (*report.Summary, error) { return clean(), nil },
	}
	axis := &BugAxis{Bugs: []BugScenarios{{Bug: Unmodified, Scenarios: []string{"kill-leader"}}}, Seeds: Seeds(1, 4)}
	m := NewManifest(Matrix{SelfTest: axis}, Shard{}, "chaoslab selftest")
	f := &bugRunner{answer: func(_, _ string, seed uint64) (*report.Summary, error) { return answers[seed-1]() }}
	out := t.TempDir()
	require.NoError(t, Execute(context.Background(), m, Options{Out: out, Runner: f}))
	assert.Equal(t, []Status{Error, Unknown, Unknown, Pass}, []Status{m.Results[0].Status, m.Results[1].Status, m.Results[2].Status, m.Results[3].Status})
	assert.Equal(t, "too few faults took effect: 0 of 3 fault windows took effect", m.Results[2].Reason)

	p := m.Power()
	assert.Zero(t, p.FalseAlarms)
	assert.False(t, p.BaselineShown(), "one clean run of four does not show the store clean")
	c := p.Baseline[0]
	assert.Equal(t, [5]int{4, 1, 2, 1, 0}, [5]int{c.Runs, c.Clean, c.Unknown, c.Errors, c.Caught})
	var page, text bytes.Buffer
	require.NoError(t, WritePage(&page, m))
	require.NoError(t, p.WriteText(&text))
	js, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, text.String(), "unmodified store: 1 of 4 runs clean; false alarms: 0; unknown: 2; errors: 1 — NOT shown clean")
	assert.Contains(t, page.String(), `<div class="banner unknown"><span>0 planted bugs · unmodified store: 1 of 4 runs clean`)
	assert.Contains(t, page.String(), `<div class="cell unknown"><div class="st">1 of 4</div>`)
	assert.Contains(t, string(js), `"baseline_clean":1`)
	assert.Contains(t, string(js), `"baseline_errors":1`)
	assert.Contains(t, string(js), `"baseline_unknown":2`)

	// A planted bug whose run tested nothing is unknown, not missed; a
	// catch stands whatever the faults did.
	planted := Job{Bug: "bug-a", Scenario: "kill-leader", Seed: 1}
	st, why := judgeBugRun(planted, noFaults)
	assert.Equal(t, Unknown, st, why)
	hit := *noFaults
	hit.Contract = readcheck.Violated
	st, _ = judgeBugRun(planted, &hit)
	assert.Equal(t, Pass, st)

	// Runs the budget never started are not runs: not clean, not counted.
	m.Results[3].Status, m.Results[3].Reason = Skipped, ReasonBudget
	c = m.Power().Baseline[0]
	assert.Equal(t, 3, c.Runs)
	assert.Equal(t, 1, c.NotRun)
	assert.Zero(t, c.Clean)
}

func TestArmSwitchesTheBugOnInEveryNode(t *testing.T) {
	s, ok := scenarios.Lookup("disk-truncate-one") // has its own cluster options: kept
	require.True(t, ok)
	armed := Arm(s, "bug-a")
	assert.Equal(t, []scenarios.StartFailpoint{{Name: "bug-a", Term: "on"}}, armed.Failpoints)
	assert.Equal(t, s.Node, armed.Node)
	assert.Empty(t, s.Failpoints, "the built-in scenario is untouched")
	assert.Empty(t, Arm(scenarios.Scenario{}, Unmodified).Failpoints, "the baseline runs the store as it is")

	// Through the matrix: the axis's duration and the bug.
	m := Matrix{SelfTest: powerAxis}
	jobs := m.Jobs()
	require.Len(t, jobs, 15)
	assert.Equal(t, "a--kill-leader-s1", jobs[0].Name())
	assert.Equal(t, "unmodified--long-pause-s3", jobs[14].Name())
	sc, err := m.Scenario(jobs[0])
	require.NoError(t, err)
	assert.Equal(t, 5*time.Second, sc.Duration)
	assert.Equal(t, []scenarios.StartFailpoint{{Name: "bug-a", Term: "on"}}, sc.Failpoints)
}

// A nightly page: the campaign's shards and the self-test's folder merge
// into one manifest, one page.
func TestMergeACampaignAndASelftest(t *testing.T) {
	out := t.TempDir()
	runShard(t, mergeMatrix, Shard{Index: 1, Total: 2}, filepath.Join(out, "shard-1"))
	runShard(t, mergeMatrix, Shard{Index: 2, Total: 2}, filepath.Join(out, "shard-2"))
	f := &bugRunner{answer: func(bug, _ string, seed uint64) (*report.Summary, error) {
		if bug != "" {
			return caught(float64(seed)), nil
		}
		return clean(), nil
	}}
	_, self := runAxis(t, f, 1)
	m, err := Merge(out, []string{filepath.Join(out, "shard-1"), self, filepath.Join(out, "shard-2")}, "merge")
	require.NoError(t, err)
	require.Len(t, m.Results, 6+15)
	for i, r := range m.Results {
		assert.Equal(t, i, r.Index, "matrix order")
		assert.Equal(t, Pass, r.Status, r.Name())
		assert.FileExists(t, filepath.Join(out, filepath.FromSlash(r.Report)))
	}
	assert.Equal(t, "", m.Results[5].Bug)
	assert.Equal(t, "bug-a", m.Results[6].Bug)
	p := m.Power()
	require.NotNil(t, p)
	assert.True(t, p.BaselineShown())
	assert.Equal(t, 3, p.Bugs[0].Cells[0].Caught)
	require.NoError(t, Write(out, m))
	page, err := os.ReadFile(filepath.Join(out, PageFile))
	require.NoError(t, err)
	assert.Contains(t, string(page), "Scenario × seed")
	assert.Contains(t, string(page), "Detection power")
	assert.Contains(t, string(page), "self-test: 2 planted bugs × their scenarios × 3 seeds (seeds 1–3), and the unmodified store")
	assert.Contains(t, string(page), "<h1>Chaos campaign and self-test</h1>", "the self-test's own title does not name the merged page")
	assert.Contains(t, string(page), "2 planted bugs: caught in 9 of 9 runs")

	// Merging again (the merged folder with the self-test) finds every run
	// in both: refused, as for shards.
	_, err = Merge(t.TempDir(), []string{out, self}, "merge")
	assert.ErrorContains(t, err, "is in both")

	// Two different self-tests do not merge.
	other := NewManifest(Matrix{SelfTest: &BugAxis{Bugs: powerAxis.Bugs, Seeds: Seeds(1, 2)}}, Shard{}, "x")
	dir := t.TempDir()
	require.NoError(t, Write(dir, other))
	_, err = Merge(t.TempDir(), []string{self, dir}, "merge")
	assert.ErrorContains(t, err, "ran a different self-test")
}
