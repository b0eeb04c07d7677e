package report

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
)

// File names inside a run's folder.
const (
	HistoryFile = "history.jsonl"
	RunFile     = "run.json"
	SummaryFile = "summary.json"
	ReportFile  = "report.html"
	VisualFile  = "history.html"
	RunLogFile  = "run.log"
	LogsDir     = "logs"
	// CounterexampleFile and CounterexamplePage hold the minimal
	// counterexample of a run that is not linearizable.
	CounterexampleFile = "counterexample.jsonl"
	CounterexamplePage = "counterexample.html"
)

// ShrinkBudget bounds the shrinking of a violation to its minimal
// counterexample in Write; measured shrinks of real runs take milliseconds,
// the budget only guards against a pathological key.
const ShrinkBudget = 20 * time.Second

// ErrUnreadable marks errors of Rebuild's inputs: a run folder without
// history.jsonl or run.json (and summary.json), or with one that does not
// parse.
var ErrUnreadable = errors.New("unreadable run folder")

// maxDrawTimeout bounds the search behind history.html: the picture re-runs
// each key's search to draw its (partial) linearization; a shorter budget
// than the checker's keeps violations cheap to draw, at worst with a
// shorter partial order.
const maxDrawTimeout = 5 * time.Second

// WriteHistory writes the history to dir/history.jsonl.
func WriteHistory(dir string, events []linearizability.Event) error {
	return writeFile(filepath.Join(dir, HistoryFile), func(w io.Writer) error {
		return linearizability.WriteJSONL(w, events)
	})
}

// WriteRun writes dir/run.json.
func WriteRun(dir string, r Run) error {
	r.Version = RunVersion
	return writeJSON(filepath.Join(dir, RunFile), r)
}

// ReadRun reads dir/run.json.
func ReadRun(dir string) (Run, error) {
	var r Run
	b, err := os.ReadFile(filepath.Join(dir, RunFile))
	if err != nil {
		return r, fmt.Errorf("report: %w: %w", ErrUnreadable, err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("report: %w: %s: %w", ErrUnreadable, filepath.Join(dir, RunFile), err)
	}
	if r.Version != RunVersion {
		return r, fmt.Errorf("report: %w: %s: version %d, this build reads version %d", ErrUnreadable, filepath.Join(dir, RunFile), r.Version, RunVersion)
	}
	return r, nil
}

// ReadSummary reads a summary.json.
func ReadSummary(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("report: %s: %w", path, err)
	}
	return &s, nil
}

// Write writes the derived files of the run folder dir: history.html (the
// checker's picture of result, or of the unchecked history when result is
// nil), report.html and summary.json (last, so its presence means the
// others are complete). It returns the summary.
func Write(dir string, in Input, events []linearizability.Event, result *linearizability.Result) (*Summary, error) {
	if in.Check == nil && result != nil {
		in.Check = CheckOf(result)
	}
	if in.Check != nil && in.Check.Contracts == nil && result != nil {
		// Every read by its level's contract; porcupine's result of every
		// read is reused, the levels' own checks run when levels are mixed.
		timeout := time.Duration(in.CheckTimeout * float64(time.Second))
		rc, err := readcheck.Check(context.Background(), withScenarioLevel(events, in.Run), readcheck.Options{
			Full: result, Linearizability: linearizability.Options{PerKeyTimeout: timeout},
		})
		if err != nil {
			return nil, fmt.Errorf("report: read contracts: %w", err)
		}
		in.Check.ContractsOf(rc)
	}
	s := Summarize(in)
	s.Artifacts = Artifacts{
		Dir: dir, History: HistoryFile, Summary: SummaryFile, Report: ReportFile,
		RunLog: RunLogFile, NodeLogs: LogsDir,
	}
	if _, err := os.Stat(filepath.Join(dir, RunFile)); err == nil {
		s.Artifacts.Run = RunFile
	}
	dopts := linearizability.DrawOptions{Timeout: maxDrawTimeout}
	if in.CheckTimeout > 0 {
		dopts.Timeout = min(dopts.Timeout, time.Duration(in.CheckTimeout*float64(time.Second)))
	}
	err := writeFile(filepath.Join(dir, VisualFile), func(w io.Writer) error {
		if result != nil {
			return result.WriteHTML(w, dopts)
		}
		return linearizability.Draw(w, events, dopts)
	})
	if err != nil {
		s.Errors = append(s.Errors, "visualization: "+err.Error())
	} else {
		s.Artifacts.Visualization = VisualFile
	}
	if in.Counterexample == nil && len(s.Anomalies) > 0 {
		ce, err := writeAnomalyCounterexample(dir, events, s.Anomalies[0])
		if err != nil {
			s.Errors = append(s.Errors, "counterexample: "+err.Error())
		}
		in.Counterexample = ce
	}
	if in.Counterexample == nil && result != nil && linOnlyViolated(s) {
		// The linearizable reads are what failed, and other levels' reads
		// are in the history too: shrink the history without them.
		sub := readcheck.LinearizableOnly(events)
		if r, err := linearizability.Check(context.Background(), sub, linearizability.Options{PerKeyTimeout: dopts.Timeout}); err == nil {
			result = r
		}
	}
	if in.Counterexample == nil && result != nil && result.Verdict == linearizability.NotLinearizable {
		ce, err := writeCounterexample(dir, result)
		if err != nil {
			s.Errors = append(s.Errors, "counterexample: "+err.Error())
		}
		in.Counterexample = ce
	}
	s.Counterexample = in.Counterexample
	if err := writeFile(filepath.Join(dir, ReportFile), func(w io.Writer) error { return WriteHTML(w, in, s) }); err != nil {
		return s, err
	}
	return s, writeJSON(filepath.Join(dir, SummaryFile), s)
}

// RebuildOptions tune Rebuild.
type RebuildOptions struct {
	// CheckTimeout overrides the checker's budget per key (default: the
	// run's own).
	CheckTimeout time.Duration
	// Progress is passed to the checker.
	Progress func(done, total int)
	// Now is the rebuild time recorded in the summary (default time.Now).
	Now func() time.Time
}

// Rebuild re-derives summary.json, report.html and history.html of a
// stored run folder from its history.jsonl and run.json, offline,
// re-running the checker (an interrupted run stays unchecked). A folder
// written before run.json existed is rebuilt from its summary.json (the
// workload's bounds are then taken from its phases).
func Rebuild(ctx context.Context, dir string, o RebuildOptions) (*Summary, error) {
	run, err := ReadRun(dir)
	if errors.Is(err, fs.ErrNotExist) {
		run, err = runFromSummary(dir)
	}
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, HistoryFile))
	if err != nil {
		return nil, fmt.Errorf("report: %w: %w", ErrUnreadable, err)
	}
	events, err := linearizability.ReadJSONL(bufio.NewReaderSize(f, 1<<16))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("report: %w: %s: %w", ErrUnreadable, filepath.Join(dir, HistoryFile), err)
	}
	ops, err := linearizability.Pair(events)
	if err != nil {
		return nil, fmt.Errorf("report: %w: %s: %w", ErrUnreadable, filepath.Join(dir, HistoryFile), err)
	}
	if o.CheckTimeout > 0 {
		run.CheckTimeout = o.CheckTimeout.Seconds()
	}
	var result *linearizability.Result
	if !run.Interrupted {
		t := time.Now()
		result, err = linearizability.Check(ctx, events, linearizability.Options{
			PerKeyTimeout: time.Duration(run.CheckTimeout * float64(time.Second)),
			Progress:      o.Progress,
		})
		if err != nil {
			return nil, fmt.Errorf("report: check: %w", err)
		}
		run.Timings.Check = round3(time.Since(t).Seconds())
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	rebuilt := now().UTC()
	return Write(dir, Input{Run: run, Operations: ops, Rebuilt: &rebuilt}, events, result)
}

// runFromSummary recovers a Run from an older folder's summary.json.
func runFromSummary(dir string) (Run, error) {
	s, err := ReadSummary(filepath.Join(dir, SummaryFile))
	if err != nil {
		return Run{}, fmt.Errorf("%w: %w (and no %s)", ErrUnreadable, err, RunFile)
	}
	r := Run{
		Version: RunVersion,
		Scenario: Scenario{
			Name: s.Scenario, Description: s.Description, Expect: s.Expect, Nodes: s.Nodes, Clients: s.Clients,
			Keys: s.Keys, ReadLevel: s.ReadLevel, Nemeses: s.Nemeses, Duration: s.Duration,
			FaultWindow: s.FaultWindow, QuietWindow: s.QuietWindow,
			OpsPerKey: s.OpsPerKey, NodeImage: s.NodeImage, NodeSrc: s.NodeSrc, System: s.System,
		},
		Seed: s.Seed, Started: s.Started, CheckTimeout: 20, Faults: s.Faults, Convergence: s.Convergence,
		Timings: s.Timings, Errors: s.Errors, Interrupted: s.Interrupted, Nodes: s.NodeFigures,
	}
	for _, c := range s.Claims {
		r.Scenario.Proves = append(r.Scenario.Proves, c.Claim)
	}
	if n := len(s.Windows); n > 0 {
		r.WorkStart, r.WorkEnd = s.Windows[0].Start, s.Windows[n-1].End
	}
	return r, nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		f.Close()
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	return nil
}

// writeJSON writes v to path, indented.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("report: encode %s: %w", filepath.Base(path), err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// writeCounterexample shrinks the first key that is not linearizable to a
// small sub-history that still is not (within ShrinkBudget), writes it as
// its own history file and page next to the run, and returns the report's
// section for it (nil when there is nothing to shrink).
func writeCounterexample(dir string, result *linearizability.Result) (*Counterexample, error) {
	ce, err := result.Shrink(context.Background(), linearizability.ShrinkOptions{Budget: ShrinkBudget})
	if err != nil || ce == nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, CounterexampleFile), ce.WriteJSONL); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, CounterexamplePage), ce.WriteHTML); err != nil {
		return nil, err
	}
	var sec strings.Builder
	if err := ce.WriteHTMLSection(&sec); err != nil {
		return nil, err
	}
	return &Counterexample{
		Key: ce.Key, Kept: ce.Kept, Original: ce.Original, Nemesis: ce.Nemesis,
		StoppedEarly: ce.StoppedEarly, StopReason: ce.StopReason, Seconds: round3(ce.Elapsed.Seconds()),
		History: CounterexampleFile, Page: CounterexamplePage,
		Section: template.HTML(sec.String()), // the linearizability package escapes what it writes
	}, nil
}

// linOnlyViolated: the linearizable level's reads are not linearizable and
// other levels' reads are in the history as well.
func linOnlyViolated(s *Summary) bool {
	if len(s.Levels) < 2 {
		return false
	}
	for _, l := range s.Levels {
		if l.Level == linearizability.LevelLinearizable && l.Linearizable == linearizability.NotLinearizable {
			return true
		}
	}
	return false
}

// writeAnomalyCounterexample writes the sub-history that shows anomaly a
// (readcheck.Shrink: cut, then shrunk) next to the run and returns the report's
// section for it: the anomaly in words and the sub-history's operations.
func writeAnomalyCounterexample(dir string, events []linearizability.Event, a readcheck.Anomaly) (*Counterexample, error) {
	start := time.Now()
	shrunk, err := readcheck.Shrink(context.Background(), events, a, readcheck.ShrinkOptions{})
	if err != nil {
		return nil, err
	}
	sub := shrunk.Events
	if err := writeFile(filepath.Join(dir, CounterexampleFile), func(w io.Writer) error { return linearizability.WriteJSONL(w, sub) }); err != nil {
		return nil, err
	}
	ops, err := linearizability.Pair(sub)
	if err != nil {
		return nil, err
	}
	all, err := linearizability.Pair(events)
	if err != nil {
		return nil, err
	}
	ce := &Counterexample{Key: a.Key, Anomaly: a.Kind, Kept: len(ops), History: CounterexampleFile,
		StoppedEarly: shrunk.StoppedEarly, StopReason: shrunk.StopReason}
	for _, op := range all {
		if op.Key == a.Key {
			ce.Original++
		}
	}
	for _, e := range sub {
		if e.IsNemesis() {
			ce.Nemesis++
		}
	}
	var sec strings.Builder
	if err := anomalyTmpl.Execute(&sec, struct {
		A   readcheck.Anomaly
		Ops []linearizability.Operation
	}{a, ops}); err != nil {
		return nil, err
	}
	ce.Section = template.HTML(sec.String())
	ce.Seconds = round3(time.Since(start).Seconds())
	return ce, nil
}

var anomalyTmpl = template.Must(template.New("anomaly").Funcs(template.FuncMap{
	"val": func(v *string) string {
		if v == nil {
			return "absent"
		}
		return fmt.Sprintf("%q", *v)
	},
	"t": func(ns int64) string {
		if ns < 0 {
			return "—"
		}
		return fmt.Sprintf("%.3fs", float64(ns)/1e9)
	},
}).Parse(`<p><b>{{.A.Kind}}</b>: {{.A.Text}}</p>
<table><tr><th>line</th><th class="l">process</th><th class="l">node</th><th class="l">operation</th><th class="l">level</th><th class="l">outcome</th><th>index</th><th class="l">incarnation</th><th>invoked</th><th>completed</th></tr>
{{range .Ops}}<tr><td>{{.Line}}</td><td class="l">{{.Process}}</td><td class="l">{{.Node}}</td><td class="l"><code>{{.F}} {{.Key}}{{if eq .F "get"}} → {{val .Value}}{{else if ne .F "delete"}} = {{val .Value}}{{end}}</code></td><td class="l">{{.Level}}</td><td class="l">{{.Type}}</td><td>{{if .Index}}{{.Index}}{{end}}</td><td class="l">{{.Incarnation}}</td><td>{{t .Call}}</td><td>{{t .Return}}</td></tr>
{{end}}</table>`))

// withScenarioLevel returns the events with the scenario's read level on the
// workload's gets when the history records no level at all: a history
// written before gets carried their level (an old run folder, or a workload
// that does not record it) read at the scenario's level, and its final reads
// (invoked at or after the workload's end) linearizably. Otherwise the events
// as they are.
func withScenarioLevel(events []linearizability.Event, r Run) []linearizability.Event {
	level := r.Scenario.ReadLevel
	if level == "" || level == linearizability.LevelLinearizable {
		return events
	}
	for i := range events {
		if events[i].Level != "" {
			return events
		}
	}
	out := append([]linearizability.Event(nil), events...)
	call := map[int]int64{} // process → invocation time of its outstanding get
	for i := range out {
		e := &out[i]
		if e.F != linearizability.FGet || e.IsNemesis() {
			continue
		}
		if e.Type == linearizability.TypeInvoke {
			call[e.Process] = e.Time
		}
		if call[e.Process] < r.WorkEnd || r.WorkEnd == 0 {
			e.Level = level
		}
	}
	return out
}
