package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
)

// fakeRun records a small history with a fault window: a write, then a read
// that is either fresh or stale (not linearizable), then a final read. The
// workload ends just before the final read, a sliver after the heal.
func fakeRun(t *testing.T, stale bool) (Input, []linearizability.Event, *linearizability.Result) {
	t.Helper()
	rec := linearizability.NewRecorder()
	run := Run{
		Scenario: Scenario{Name: "stale-reads", Description: "BROKEN ON PURPOSE", Expect: ExpectViolation,
			Nodes: 3, Clients: 2, Keys: 1, ReadLevel: "stale", Nemeses: []string{"partition-follower"}, Duration: 1},
		Seed: 7, CheckTimeout: 5, WorkStart: rec.Now(),
	}
	a, b := rec.NewClient("n1"), rec.NewClient("n3")
	a.Set("k1", "c0-1").Ok(nil)
	start := rec.Now()
	rec.Nemesis("partition", "n3 | n1 n2")
	a.Set("k1", "c0-2").Ok(nil)
	read := "c0-2"
	if stale {
		read = "c0-1"
	}
	b.GetAt("k1", linearizability.LevelStale).Ok(&read)
	a.Delete("k1").Info("timeout")
	rec.Nemesis("heal", "n3 | n1 n2")
	end := rec.Now()
	run.Faults = []FaultWindow{{Nemesis: "partition-follower", Start: start, Injected: start, Healing: end, End: end,
		Fault: &Fault{Nemesis: "partition-follower", Kind: "partition", Value: "n3 | n1 n2", Targets: []string{"n1", "n2", "n3"}, HealKind: "heal"}}}
	final := "c0-2"
	run.WorkEnd = rec.Now()
	rec.NewClient("n2").Get("k1").Ok(&final) // a final read, after the workload
	run.Convergence = Convergence{Converged: true, Final: map[string]*string{"k1": &final},
		Values: map[string]map[string]*string{"k1": {"n1": &final, "n2": &final, "n3": &final}}}
	events := rec.Events()
	res, err := linearizability.Check(t.Context(), events, linearizability.Options{PerKeyTimeout: 5 * time.Second})
	require.NoError(t, err)
	ops, err := linearizability.Pair(events)
	require.NoError(t, err)
	return Input{Run: run, Operations: ops, Check: CheckOf(res)}, events, res
}

func TestWriteAViolation(t *testing.T) {
	in, events, res := fakeRun(t, true)
	dir := t.TempDir()
	require.NoError(t, WriteHistory(dir, events))
	require.NoError(t, WriteRun(dir, in.Run))
	sum, err := Write(dir, in, events, res)
	require.NoError(t, err)

	got, err := ReadSummary(filepath.Join(dir, SummaryFile))
	require.NoError(t, err)
	assert.Equal(t, sum.Outcome, got.Outcome)
	assert.Equal(t, linearizability.NotLinearizable, got.Verdict)
	assert.Equal(t, readcheck.OK, got.Contract, "stale reads behind the writes keep the stale contract")
	assert.True(t, got.AsExpected)
	assert.Empty(t, got.Anomalies)
	require.Len(t, got.Levels, 2)
	assert.Equal(t, linearizability.LevelStale, got.Levels[1].Level)
	assert.Equal(t, linearizability.NotLinearizable, got.Levels[1].Linearizable)
	assert.Equal(t, linearizability.NotLinearizable, got.KeyVerdicts["k1"].Verdict)
	require.Len(t, got.Explanations, 1)
	assert.Contains(t, got.Explanations[0], "stale read")
	assert.Equal(t, Counts{Ops: 4, OK: 3, Info: 1}, got.Counts, "the final read is not workload")
	assert.Equal(t, Counts{Ops: 1, OK: 1}, got.FinalReads)
	assert.Equal(t, Counts{Ops: 3, OK: 2, Info: 1}, got.ByNode["n1"])
	assert.Equal(t, uint64(7), got.Seed)
	assert.Equal(t, 3, got.Phases[PhaseFault].Ops)
	require.Len(t, got.Windows, 2, "quiet, fault; the sliver after the heal is dropped")
	assert.Equal(t, PhaseFault, got.Windows[1].Kind)
	require.Len(t, got.Faults, 1)
	assert.Equal(t, "n3 | n1 n2", got.Faults[0].Fault.Value)
	assert.Equal(t, RunFile, got.Artifacts.Run)
	// The page's title says the levels' verdicts, not the whole history's
	// "not linearizable" (the stale reads do not promise linearizability).
	page, err := os.ReadFile(filepath.Join(dir, ReportFile))
	require.NoError(t, err)
	assert.Contains(t, string(page), "stale contract holds</title>")
	assert.Contains(t, string(page), "<h2>Why the whole history is not linearizable</h2>")

	// The raw JSON keeps the documented top-level fields.
	raw, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	for _, k := range []string{"scenario", "description", "expect", "seed", "started", "nodes", "clients", "keys", "read_level",
		"nemeses", "duration", "fault_window", "quiet_window", "verdict", "converged", "as_expected", "outcome",
		"key_verdicts", "explanations", "counts", "by_f", "phases", "windows", "faults", "final_reads", "convergence",
		"timings", "artifacts"} {
		assert.Contains(t, m, k, "summary.json field")
	}
	w := m["windows"].([]any)[0].(map[string]any)
	for _, k := range []string{"kind", "start_ns", "end_ns", "seconds", "ops", "ok", "cas_mismatch", "fail", "info", "ok_per_sec", "availability", "p50_ms", "p99_ms", "max_ms"} {
		assert.Contains(t, w, k, "windows[] field")
	}

	vis, err := os.ReadFile(filepath.Join(dir, VisualFile))
	require.NoError(t, err)
	assert.Contains(t, string(vis), "<html")

	rep, err := os.ReadFile(filepath.Join(dir, ReportFile))
	require.NoError(t, err)
	html := string(rep)
	verdict := strings.Index(html, `id="verdict"`)
	why := strings.Index(html, "Why it is not linearizable")
	svg := strings.Index(html, "<svg")
	require.True(t, verdict >= 0 && why >= 0 && svg >= 0, "verdict %d, explanation %d, timeline %d", verdict, why, svg)
	assert.True(t, verdict < why && why < svg, "order: verdict, explanation, timeline")
	for _, want := range []string{
		"stale reads not linearizable (1 keys; the level allows it), stale contract holds", "as expected",
		`id="levels"`,
		`href="history.html"`, `href="history.jsonl"`, `href="summary.json"`, `href="run.json"`, `href="logs/"`,
		"<title>partition n3 | n1 n2 → heal</title>", // the shaded fault window, with the event that ended it
		"stale read", "--seed 7", "chaoslab report " + dir,
	} {
		assert.Contains(t, html, want)
	}
	assert.Equal(t, 1, strings.Count(html, "<svg"), "one inline SVG")
	assert.NotContains(t, html, `id="nodes"`, "no node figures: no node panel")
	assert.Contains(t, html, `id="counterexample"`, "a violation is shrunk to its counterexample")
}

func TestLinearizableRunOfAScenarioExpectingAViolationFails(t *testing.T) {
	in, _, _ := fakeRun(t, false)
	s := Summarize(in)
	assert.Equal(t, linearizability.Linearizable, s.Verdict)
	assert.False(t, s.AsExpected)
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, in, s))
	assert.NotContains(t, b.String(), "Why it is not linearizable")
	assert.Contains(t, b.String(), `class="verdict bad"`)
}

// The optional sections appear when their input is there, and only then.
func TestOptionalSections(t *testing.T) {
	in, _, _ := fakeRun(t, true)
	in.Nodes = []NodeFigures{
		{ID: "n1", State: "Leader", Term: 3, CommitIndex: 40, AppliedIndex: 40, LastIndex: 41},
		{ID: "n2", Error: "connection refused"},
	}
	in.Counterexample = &Counterexample{Key: "k1", Kept: 2, Original: 10, Section: "<p>the get saw c0-1 after c0-2 was acknowledged</p>"}
	s := Summarize(in)
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, in, s))
	html := b.String()
	ce, verdict, timeline := strings.Index(html, `id="counterexample"`), strings.Index(html, `id="verdict"`), strings.Index(html, `id="timeline"`)
	require.True(t, ce > 0 && verdict > 0)
	assert.True(t, verdict < ce && ce < timeline, "the counterexample comes right after the verdict")
	assert.Contains(t, html, "the get saw c0-1 after c0-2 was acknowledged")
	assert.Contains(t, html, `id="nodes"`)
	assert.Contains(t, html, "<td class=\"l\">n1</td><td class=\"l\">Leader</td><td>3</td><td>40</td>")
	assert.Contains(t, html, "connection refused")
	assert.Len(t, s.NodeFigures, 2)
}

func TestConvergenceNotReadIsNotDiverged(t *testing.T) {
	in, _, _ := fakeRun(t, true)
	v := "c0-2"
	in.Convergence = Convergence{Final: map[string]*string{"k1": &v, "k2": &v},
		Values:  map[string]map[string]*string{"k1": {"n1": &v}, "k2": {"n1": &v, "n2": &v, "n3": &v}},
		NotRead: []string{"k1"}}
	s := Summarize(in)
	assert.False(t, s.Converged)
	assert.False(t, s.Diverged())
	assert.Contains(t, s.Outcome, "convergence not shown: 1 key not read on every node in time (no divergence among the values read)")
	assert.NotContains(t, s.Outcome, "DIVERGED")
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, in, s))
	assert.Contains(t, b.String(), "0 keys diverged (values read that differ), 1 keys not read on every node")
	assert.Contains(t, b.String(), `<tr class="notread"><td class="l">k1</td><td class="l">not read</td>`)

	other := "c0-1"
	in.Convergence.Values["k2"]["n3"] = &other
	in.Convergence.Diverged = []string{"k2"}
	s = Summarize(in)
	assert.True(t, s.Diverged())
	assert.Contains(t, s.Outcome, "replicas DIVERGED on 1 key (1 more not read on every node)")
}

func TestOutcomeLines(t *testing.T) {
	keys := func(v ...linearizability.Verdict) map[string]linearizability.KeyResult {
		m := map[string]linearizability.KeyResult{}
		for i, x := range v {
			m[string(rune('a'+i))] = linearizability.KeyResult{Verdict: x}
		}
		return m
	}
	L, N, U := linearizability.Linearizable, linearizability.NotLinearizable, linearizability.Unknown
	tests := []struct {
		expect    Expect
		verdict   linearizability.Verdict
		converged bool
		keys      map[string]linearizability.KeyResult
		as        bool
		outcome   string
	}{
		{ExpectLinearizable, L, true, keys(L, L), true, "linearizable, replicas converged — as expected"},
		{ExpectLinearizable, L, false, keys(L), false, "linearizable, replicas did NOT converge — NOT as expected (expected linearizable)"},
		{ExpectLinearizable, N, true, keys(N, L, N), false, "NOT linearizable (2 of 3 keys), replicas converged — NOT as expected (expected linearizable)"},
		{ExpectLinearizable, U, true, keys(U), false, "linearizability unknown (the checker's budget ran out), replicas converged — NOT as expected (expected linearizable)"},
		{ExpectViolation, N, true, keys(N), true, "NOT linearizable (1 of 1 keys), replicas converged — as expected: this scenario is broken on purpose"},
		{ExpectViolation, L, true, keys(L), false, "linearizable, replicas converged — NOT as expected (expected violation)"},
	}
	for _, tt := range tests {
		s := &Summary{Expect: tt.expect, Verdict: tt.verdict, Converged: tt.converged, KeyVerdicts: tt.keys}
		out, as := judge(s)
		assert.Equal(t, tt.as, as, tt.outcome)
		assert.Equal(t, tt.outcome, out)
	}
	// With read contracts: each level by its own, the weaker levels'
	// linearizability for information.
	lin := readcheck.LevelResult{Level: "linearizable", Contract: readcheck.OK, Linearizable: L}
	stale := readcheck.LevelResult{Level: "stale", Contract: readcheck.OK, Linearizable: N, NotLinearizableKeys: []string{"a"}}
	badStale := readcheck.LevelResult{Level: "stale", Contract: readcheck.Violated, Linearizable: N, Anomalies: 1}
	anomaly := readcheck.Anomaly{Kind: readcheck.NonMonotonicRead, Key: "a", Level: "stale", Node: "n2"}
	for _, tt := range []struct {
		expect   Expect
		contract readcheck.Verdict
		levels   []readcheck.LevelResult
		as       bool
		outcome  string
	}{
		{ExpectViolation, readcheck.OK, []readcheck.LevelResult{lin, stale}, true,
			"linearizable; stale reads not linearizable (1 keys; the level allows it), stale contract holds, replicas converged — as expected: this scenario is broken on purpose"},
		{ExpectLinearizable, readcheck.OK, []readcheck.LevelResult{lin, stale}, true,
			"linearizable; stale reads not linearizable (1 keys; the level allows it), stale contract holds, replicas converged — as expected"},
		{ExpectViolation, readcheck.Violated, []readcheck.LevelResult{lin, badStale}, false,
			"READ CONTRACT BROKEN: non-monotonic-read on key a (stale read on n2); linearizable, replicas converged — NOT as expected (expected violation)"},
		{ExpectContractViolation, readcheck.Violated, []readcheck.LevelResult{lin, badStale}, true,
			"READ CONTRACT BROKEN: non-monotonic-read on key a (stale read on n2); linearizable, replicas converged — as expected: this scenario is broken on purpose"},
		{ExpectContractViolation, readcheck.OK, []readcheck.LevelResult{lin, stale}, false,
			"linearizable; stale reads not linearizable (1 keys; the level allows it), stale contract holds, replicas converged — NOT as expected (expected contract-violation)"},
	} {
		s := &Summary{Expect: tt.expect, Verdict: N, Converged: true, Contract: tt.contract, Levels: tt.levels}
		if tt.contract == readcheck.Violated {
			s.Anomalies, s.AnomaliesTotal = []readcheck.Anomaly{anomaly}, 1
		}
		out, as := judge(s)
		assert.Equal(t, tt.as, as, tt.outcome)
		assert.Equal(t, tt.outcome, out)
	}

	out, as := judge(&Summary{Expect: ExpectLinearizable, Interrupted: true, Verdict: U})
	assert.False(t, as)
	assert.Equal(t, "interrupted before the checks", out)
}

func TestNaturalOrder(t *testing.T) {
	m := map[string]bool{"k10": true, "k2": true, "k1": true, "a": true, "k02": true, "k1x": true}
	for range 20 { // map order varies: the result must not
		assert.Equal(t, []string{"a", "k1", "k1x", "k02", "k2", "k10"}, keysInOrder(m))
	}
}

// A run that is not linearizable gets its minimal counterexample: a history
// file of a few operations that is still not linearizable, its own page, and
// a section at the top of the report; a linearizable run gets none.
func TestWriteShrinksAViolation(t *testing.T) {
	for _, stale := range []bool{true, false} {
		in, events, res := fakeRun(t, stale)
		dir := t.TempDir()
		s, err := Write(dir, in, events, res)
		require.NoError(t, err)
		if !stale {
			assert.Nil(t, s.Counterexample)
			assert.NoFileExists(t, filepath.Join(dir, CounterexampleFile))
			continue
		}
		require.NotNil(t, s.Counterexample)
		assert.Equal(t, "k1", s.Counterexample.Key)
		assert.LessOrEqual(t, s.Counterexample.Kept, 3)
		f, err := os.Open(filepath.Join(dir, CounterexampleFile))
		require.NoError(t, err)
		sub, err := linearizability.ReadJSONL(f)
		f.Close()
		require.NoError(t, err)
		again, err := linearizability.Check(t.Context(), sub, linearizability.Options{PerKeyTimeout: 5 * time.Second})
		require.NoError(t, err)
		assert.Equal(t, linearizability.NotLinearizable, again.Verdict, "the counterexample must still fail")
		page, err := os.ReadFile(filepath.Join(dir, ReportFile))
		require.NoError(t, err)
		assert.Contains(t, string(page), `id="counterexample"`)
		assert.FileExists(t, filepath.Join(dir, CounterexamplePage))
	}
}

func TestFirstViolationIsTheEarliestBlockedOperation(t *testing.T) {
	op := func(call, ret int64) linearizability.Blocked {
		return linearizability.Blocked{Operation: linearizability.Operation{Call: call, Return: ret}}
	}
	res := &linearizability.Result{Verdict: linearizability.NotLinearizable, Explanations: []linearizability.Explanation{
		{Key: "k1", Blocked: []linearizability.Blocked{op(4e9, 5e9), op(3e9, 7e9)}},
		{Key: "k2", Blocked: []linearizability.Blocked{op(2.5e9, -1)}}, // never completed: its invocation counts
	}}
	in := Input{Run: Run{WorkStart: 1e9}, Check: CheckOf(res)}
	s := Summarize(in)
	require.NotNil(t, s.FirstViolation)
	assert.InDelta(t, 1.5, *s.FirstViolation, 1e-9)

	in.Check = CheckOf(&linearizability.Result{Verdict: linearizability.Linearizable})
	assert.Nil(t, Summarize(in).FirstViolation)
}

// A broken read contract is shown in the report's first part (before the
// timeline), in words, with its operations and node, marked on the timeline,
// and cut to a counterexample that breaks it again.
func TestWriteAnAnomaly(t *testing.T) {
	rec := linearizability.NewRecorder()
	run := Run{
		Scenario: Scenario{Name: "stale-restarts", Description: "stale reads across restarts", Expect: ExpectLinearizable,
			Nodes: 3, Clients: 2, Keys: 1, ReadLevel: "stale", Duration: 1},
		Seed: 3, CheckTimeout: 5, WorkStart: rec.Now(),
	}
	a, b := rec.NewClient("n1"), rec.NewClient("n3")
	a.Set("k1", "v1").OkAt(nil, linearizability.Evidence{Index: 3})
	a.Set("k1", "v2").OkAt(nil, linearizability.Evidence{Index: 5})
	b.GetAt("k1", linearizability.LevelStale).OkAt(linearizability.Str("v2"), linearizability.Evidence{Index: 5, Incarnation: "n3-a"})
	rec.Nemesis("kill", "n3")
	rec.Nemesis("start", "n3")
	b.GetAt("k1", linearizability.LevelStale).OkAt(linearizability.Str("v1"), linearizability.Evidence{Index: 3, Incarnation: "n3-a"})
	run.WorkEnd = rec.Now()
	final := "v2"
	rec.NewClient("n2").Get("k1").OkAt(&final, linearizability.Evidence{Index: 5})
	run.Convergence = Convergence{Converged: true, Final: map[string]*string{"k1": &final},
		Values: map[string]map[string]*string{"k1": {"n1": &final, "n2": &final, "n3": &final}}}
	events := rec.Events()
	res, err := linearizability.Check(t.Context(), events, linearizability.Options{})
	require.NoError(t, err)
	ops, err := linearizability.Pair(events)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, WriteHistory(dir, events))
	require.NoError(t, WriteRun(dir, run))
	sum, err := Write(dir, Input{Run: run, Operations: ops}, events, res)
	require.NoError(t, err)

	assert.Equal(t, readcheck.Violated, sum.Contract)
	assert.False(t, sum.AsExpected)
	require.Len(t, sum.Anomalies, 1)
	an := sum.Anomalies[0]
	assert.Equal(t, readcheck.NonMonotonicRead, an.Kind)
	assert.Equal(t, "n3", an.Node)
	assert.Equal(t, []int64{3, 5}, an.Indexes)
	require.NotNil(t, sum.FirstViolation)
	assert.True(t, strings.HasPrefix(sum.Outcome, "READ CONTRACT BROKEN: non-monotonic-read on key k1 (stale read on n3)"), sum.Outcome)

	raw, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	for _, k := range []string{"contract", "levels", "anomalies"} {
		assert.Contains(t, m, k, "summary.json field")
	}

	page, err := os.ReadFile(filepath.Join(dir, ReportFile))
	require.NoError(t, err)
	html := string(page)
	anomalies, svg := strings.Index(html, `id="anomalies"`), strings.Index(html, "<svg")
	require.True(t, anomalies > 0 && svg > 0)
	assert.Less(t, anomalies, svg, "the anomaly comes before the timeline")
	first := html[:svg]
	for _, want := range []string{"non-monotonic-read", "the node went back", "n3-a", "lines 9–10", "3, 5"} {
		assert.Contains(t, first, want)
	}
	assert.Contains(t, html, `<g class="anomaly"><title>1. non-monotonic-read on key k1`, "marked on the timeline")

	require.NotNil(t, sum.Counterexample)
	assert.Equal(t, readcheck.NonMonotonicRead, sum.Counterexample.Anomaly)
	f, err := os.Open(filepath.Join(dir, CounterexampleFile))
	require.NoError(t, err)
	sub, err := linearizability.ReadJSONL(f)
	f.Close()
	require.NoError(t, err)
	again, err := readcheck.Contracts(sub)
	require.NoError(t, err)
	assert.Equal(t, readcheck.Violated, again.Contract, "the counterexample breaks the contract again")
}

// A history written before gets carried their level (an old stale-reads run
// folder) reads at the scenario's level; its final reads stay linearizable.
func TestHistoryWithoutLevelsReadsAtTheScenarioLevel(t *testing.T) {
	in, events, res := fakeRun(t, true)
	for i := range events {
		events[i].Level = ""
	}
	sum, err := Write(t.TempDir(), in, events, res)
	require.NoError(t, err)
	assert.Equal(t, readcheck.OK, sum.Contract)
	assert.True(t, sum.AsExpected, sum.Outcome)
	require.Len(t, sum.Levels, 2)
	assert.Equal(t, 1, sum.Levels[0].Reads, "the final read is linearizable")
	assert.Equal(t, linearizability.LevelStale, sum.Levels[1].Level)
}

// The replay command names the system when it is not the default one, so
// an etcd run's page repeats an etcd run.
func TestReplayNamesTheSystem(t *testing.T) {
	for system, want := range map[string]string{
		"":                     "chaoslab run --scenario",
		"raftkv":               "chaoslab run --scenario",
		"etcd@v3.5.4+slow-wal": "chaoslab run --system etcd@v3.5.4&#43;slow-wal --scenario", // + escaped; a browser shows +
	} {
		in, _, _ := fakeRun(t, true)
		in.Scenario.System = system
		s := Summarize(in)
		assert.Equal(t, system, s.System)
		var b bytes.Buffer
		require.NoError(t, WriteHTML(&b, in, s))
		assert.Contains(t, b.String(), want, "system %q", system)
	}
}
