package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/linearizability"
)

// fakeRun records a small history with a fault window: a write, then a read
// that is either fresh or stale (not linearizable).
func fakeRun(t *testing.T, stale bool) *run {
	t.Helper()
	s, _ := Lookup("stale-reads")
	s.Keys = 1
	r := &run{s: s, o: Options{Out: t.TempDir(), CheckTimeout: 5 * time.Second, Seed: 7}, prog: startProgress(nil, false, s, &counters{})}
	r.sum = &Summary{Scenario: s.Name, Expect: s.Expect, Seed: 7, Nodes: 3, Keys: 1, ReadLevel: "stale",
		Nemeses: []string{"partition-follower"}, Artifacts: Artifacts{Dir: r.o.Out, History: HistoryFile, Summary: SummaryFile,
			Report: ReportFile, RunLog: RunLogFile, NodeLogs: LogsDir}}
	r.rec = linearizability.NewRecorder()
	r.workStart = r.rec.Now()
	a, b := r.rec.NewClient("n1"), r.rec.NewClient("n3")
	a.Set("k1", "c0-1").Ok(nil)
	start := r.rec.Now()
	f := chaos.NewFault("partition-follower", "partition", "n3 | n1 n2", []string{"n1", "n2", "n3"}, "heal", nil)
	r.rec.Nemesis(f.Kind, f.Value)
	a.Set("k1", "c0-2").Ok(nil)
	read := "c0-2"
	if stale {
		read = "c0-1"
	}
	b.Get("k1").Ok(&read)
	a.Delete("k1").Info("timeout")
	r.rec.Nemesis(f.HealKind, f.Value)
	r.windows = []chaos.Window{{Nemesis: f.Nemesis, Fault: f, Start: start, Injected: start, Healing: r.rec.Now(), End: r.rec.Now()}}
	r.workEnd = r.rec.Now() + 1
	r.sum.Converged = true
	r.sum.Convergence = Convergence{Converged: true, Final: map[string]*string{"k1": nil},
		Values: map[string]map[string]*string{"k1": {"n1": nil, "n2": nil, "n3": nil}}}
	return r
}

func TestArtifactsOfAViolation(t *testing.T) {
	r := fakeRun(t, true)
	if err := r.analyse(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.writeArtifacts(); err != nil {
		t.Fatal(err)
	}
	sum, err := ReadSummary(filepath.Join(r.o.Out, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Verdict != linearizability.NotLinearizable || !sum.AsExpected || sum.KeyVerdicts["k1"].Verdict != linearizability.NotLinearizable {
		t.Errorf("summary verdict %q as expected %v keys %+v", sum.Verdict, sum.AsExpected, sum.KeyVerdicts)
	}
	if len(sum.Explanations) != 1 || !strings.Contains(sum.Explanations[0], "stale read") {
		t.Errorf("explanations %q", sum.Explanations)
	}
	if sum.Counts.Ops != 4 || sum.Counts.OK != 3 || sum.Counts.Info != 1 || sum.Seed != 7 {
		t.Errorf("counts %+v seed %d", sum.Counts, sum.Seed)
	}
	if len(sum.Windows) < 2 || sum.Phases[PhaseFault].Ops != 3 {
		t.Errorf("phases %+v windows %+v", sum.Phases, sum.Windows)
	}
	if len(sum.Faults) != 1 || sum.Faults[0].Fault.Value != "n3 | n1 n2" {
		t.Errorf("faults %+v", sum.Faults)
	}
	// The raw JSON has the documented top-level fields.
	raw, _ := os.ReadFile(filepath.Join(r.o.Out, SummaryFile))
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"verdict", "seed", "key_verdicts", "counts", "phases", "windows", "faults", "convergence", "timings", "artifacts", "outcome"} {
		if _, ok := m[k]; !ok {
			t.Errorf("summary.json lacks %q", k)
		}
	}

	h, err := os.ReadFile(filepath.Join(r.o.Out, HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := linearizability.ReadJSONL(bytes.NewReader(h))
	if err != nil || len(evs) != 10 {
		t.Fatalf("history.jsonl: %d events, %v", len(evs), err)
	}
	vis, err := os.ReadFile(filepath.Join(r.o.Out, VisualFile))
	if err != nil || !bytes.Contains(vis, []byte("<html")) {
		t.Errorf("history.html missing or not HTML: %v", err)
	}

	rep, err := os.ReadFile(filepath.Join(r.o.Out, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	html := string(rep)
	verdict := strings.Index(html, `id="verdict"`)
	svg := strings.Index(html, "<svg")
	why := strings.Index(html, "Why it is not linearizable")
	switch {
	case verdict < 0 || svg < 0 || why < 0:
		t.Fatalf("report lacks the verdict (%d), the timeline (%d) or the explanation (%d)", verdict, svg, why)
	case !(verdict < why && why < svg):
		t.Errorf("report order: verdict %d, explanation %d, timeline %d", verdict, why, svg)
	}
	for _, want := range []string{
		"NOT linearizable (1 of 1 keys)", "as expected", // the outcome line
		`href="history.html"`, `href="history.jsonl"`, `href="summary.json"`, `href="logs/"`,
		"<title>partition n3 | n1 n2</title>", // the shaded fault window
		"stale read", "--seed 7",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Count(html, "<svg") != 1 || strings.Count(html, "</svg>") != 1 {
		t.Error("report should hold exactly one inline SVG")
	}
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
		s.judge()
		if s.AsExpected != tt.as || s.Outcome != tt.outcome {
			t.Errorf("%s/%s/%v: %v %q, want %v %q", tt.expect, tt.verdict, tt.converged, s.AsExpected, s.Outcome, tt.as, tt.outcome)
		}
	}
	s := &Summary{Expect: ExpectLinearizable, Interrupted: true, Verdict: U}
	s.judge()
	if s.AsExpected || s.Outcome != "interrupted before the checks" {
		t.Errorf("interrupted: %v %q", s.AsExpected, s.Outcome)
	}
}

func TestLinearizableRunReport(t *testing.T) {
	r := fakeRun(t, false)
	if err := r.analyse(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.sum.Verdict != linearizability.Linearizable || r.sum.AsExpected {
		t.Errorf("verdict %s as expected %v (the scenario expects a violation)", r.sum.Verdict, r.sum.AsExpected)
	}
	var buf bytes.Buffer
	if err := WriteReport(&buf, r.sum, r.rec.Events()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "Why it is not linearizable") || !strings.Contains(buf.String(), `class="verdict bad"`) {
		t.Error("a linearizable run of a scenario expecting a violation must be shown as a failure, without explanation")
	}
}

func TestProgressLine(t *testing.T) {
	s, _ := Lookup("kill-leader")
	var cnt counters
	p := startProgress(nil, false, s, &cnt)
	p.setStage("starting cluster")
	if got := p.line(time.Now()); got != "kill-leader: starting cluster" {
		t.Errorf("before the workload: %q", got)
	}
	p.setStage("running")
	p.startClock()
	p.setFault("kill n2")
	cnt.ok.Add(90)
	cnt.mismatch.Add(4)
	cnt.fail.Add(5)
	cnt.info.Add(1)
	got := p.line(p.clock.Add(2 * time.Second))
	for _, want := range []string{"running 2s/12s", "50 ops/s", "ok 90", "cas≠ 4", "fail 5", "info 1", "fault: kill n2"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress line %q lacks %q", got, want)
		}
	}
	p.stop()
}
