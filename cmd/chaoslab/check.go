package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
)

func init() {
	register(&command{
		name:    "check",
		summary: "judge every read of a history file by its read level's contract",
		usage: `usage: chaoslab check FILE [--timeout D] [--html OUT] [--json] [--parallel N]
                      [--shrink OUT.jsonl] [--shrink-html OUT.html] [--shrink-budget D]

Reads a history (JSON Lines, see DESIGN.md) and judges every read by its
level's contract (DESIGN.md, "Read levels and their contracts"): linearizable
reads must be linearizable with the writes (porcupine, key by key); stale and
leader reads must show a prefix of the write order that never goes back on a
node incarnation, and the store's indexes, when recorded, must agree with the
values. It prints each level's verdict, the linearizability of the weaker
levels (for information) and every anomaly. Flags may come before or after FILE.

  --timeout D          time budget per key (default 10s); a key that runs out is "unknown"
  --html OUT           also write porcupine's visualization to OUT
  --json               print the result as JSON instead of text
  --parallel N         keys checked at once (default: number of CPUs)
  --shrink OUT         if a contract is broken, write a small sub-history that
                       breaks it again to OUT as a history file (check it again with
                       'chaoslab check OUT'): the first anomaly's operations and the
                       writes they read, or else the first key whose linearizable
                       reads are not linearizable, shrunk
  --shrink-html OUT    also write that counterexample as a page: the operations by
                       time and client, the explanation, porcupine's picture
  --shrink-budget D    time the shrinking may take (default 30s); when it runs out
                       the smallest sub-history found so far is written, marked
                       "stopped early"

Exit codes: 0 every read meets its level's contract, 1 some read does not
(the anomaly, key, node and operations are named; or a key whose linearizable
reads are not linearizable), 2 unknown (an empty history, or some key ran out
of budget and none is wrong), 3 unreadable input (the message names the line),
4 usage error, 5 other failure (for example, OUT cannot be written).
`,
		run: runCheck,
	})
}

func runCheck(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	timeout := fs.Duration("timeout", linearizability.DefaultPerKeyTimeout, "")
	htmlOut := fs.String("html", "", "")
	asJSON := fs.Bool("json", false, "")
	parallel := fs.Int("parallel", 0, "")
	shrinkOut := fs.String("shrink", "", "")
	shrinkHTML := fs.String("shrink-html", "", "")
	shrinkBudget := fs.Duration("shrink-budget", linearizability.DefaultShrinkBudget, "")
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) != 1 {
		err = fmt.Errorf("want exactly one FILE, got %d arguments", len(pos))
	}
	if err == nil && *timeout <= 0 {
		err = errors.New("--timeout must be positive")
	}
	if err == nil && *shrinkBudget <= 0 {
		err = errors.New("--shrink-budget must be positive")
	}
	if err == nil && *shrinkHTML != "" && *shrinkOut == "" {
		err = errors.New("--shrink-html needs --shrink OUT.jsonl")
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab check: %v\n\n%s", err, commands["check"].usage)
		return exitUsage
	}
	file := pos[0]

	prog := startProgress(e)
	events, code := readHistory(e, prog, file, "check")
	if code != exitOK {
		prog.stop()
		return code
	}
	prog.set("checking", 0, 0)
	rc, err := readcheck.Check(ctx, events, readcheck.Options{Linearizability: linearizability.Options{
		PerKeyTimeout: *timeout,
		Parallelism:   *parallel,
		Progress:      func(done, total int) { prog.set("checking", done, total) },
	}})
	prog.stop()
	if err != nil { // cannot happen: the reader validated the history
		fmt.Fprintf(e.stderr, "chaoslab check: %s: %v\n", file, err)
		return exitUnreadable
	}
	res := rc.Linearizability

	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(checkJSON{Result: res, Contracts: rc}); err != nil {
			fmt.Fprintf(e.stderr, "chaoslab check: %v\n", err)
			return exitFailure
		}
	} else {
		printResult(e.stdout, file, rc)
	}

	if *htmlOut != "" {
		if err := writeHTML(*htmlOut, func(w io.Writer) error {
			return res.WriteHTML(w, linearizability.DrawOptions{Timeout: *timeout})
		}); err != nil {
			fmt.Fprintf(e.stderr, "chaoslab check: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(e.stderr, "chaoslab check: wrote %s\n", *htmlOut)
	}

	if *shrinkOut != "" {
		if code := shrink(ctx, e, events, rc, *shrinkOut, *shrinkHTML, *shrinkBudget); code != exitOK {
			return code
		}
	}

	switch rc.Contract {
	case readcheck.OK:
		return exitOK
	case readcheck.Violated:
		return exitNotLinear
	default:
		return exitUnknown
	}
}

// checkJSON is check --json's document: linearizability's result of every
// read, as before, with the contracts beside it.
type checkJSON struct {
	*linearizability.Result
	Contracts *readcheck.Result `json:"contracts"`
}

// readHistory reads and validates FILE; on failure it prints the error,
// naming the line, and returns exitUnreadable.
func readHistory(e *env, prog *progress, file, cmd string) ([]linearizability.Event, int) {
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab %s: %v\n", cmd, err)
		return nil, exitUnreadable
	}
	defer f.Close()
	r := linearizability.NewReader(f)
	var events []linearizability.Event
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return events, exitOK
		}
		if err != nil {
			var le *linearizability.LineError
			if errors.As(err, &le) {
				fmt.Fprintf(e.stderr, "chaoslab %s: %s:%d: %v\n", cmd, file, le.Line, le.Err)
			} else {
				fmt.Fprintf(e.stderr, "chaoslab %s: %s: %v\n", cmd, file, err)
			}
			return nil, exitUnreadable
		}
		events = append(events, ev)
		if len(events)&0xfff == 0 {
			prog.set("reading", len(events), 0)
		}
	}
}

func writeHTML(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

func printResult(w io.Writer, file string, rc *readcheck.Result) {
	res := rc.Linearizability
	fmt.Fprintf(w, "%s: %s on %s, %s, checked in %s\n",
		file, plural(res.Operations, "operation"), plural(len(res.Keys), "key"), plural(res.Nemesis, "nemesis event"),
		res.Elapsed.Round(time.Microsecond))
	switch {
	case rc.Operations == 0:
		fmt.Fprintln(w, "contract: unknown (the history has no operation: nothing to judge)")
	case rc.Contract == readcheck.OK:
		fmt.Fprintln(w, "contract: ok (every read meets its level's contract)")
	case rc.Contract == readcheck.Violated:
		fmt.Fprintf(w, "contract: VIOLATED (%s)\n", plural(rc.AnomaliesTotal, "anomaly"))
	default:
		fmt.Fprintln(w, "contract: unknown (the checker could not decide)")
	}
	for _, lr := range rc.Levels {
		role := "its contract"
		if lr.Level != linearizability.LevelLinearizable {
			role = "informational"
		}
		fmt.Fprintf(w, "  %-12s %s, contract %s, %s (%s)\n", lr.Level, plural(lr.Reads, "read"), lr.Contract,
			orDash(string(lr.Linearizable)), role)
	}
	if rc.Writes != "" {
		fmt.Fprintf(w, "  %-12s %s\n", "writes alone", rc.Writes)
	}
	if rc.Evidence {
		fmt.Fprintf(w, "evidence: indexes placed the operations of %d of %s\n", rc.EvidenceKeys, plural(rc.Keys, "key"))
	}
	if rc.UnknownWrites > 0 {
		fmt.Fprintf(w, "unknown writes: %d, of which %d resolved as applied (a read returned them)\n", rc.UnknownWrites, rc.ResolvedWrites)
	}
	bad := res.KeysWith(linearizability.NotLinearizable)
	unknown := res.KeysWith(linearizability.Unknown)
	fmt.Fprintf(w, "verdict: %s (linearizability of every read; keys: %d linearizable, %d not, %d unknown)\n",
		res.Verdict, len(res.Keys)-len(bad)-len(unknown), len(bad), len(unknown))
	for _, a := range rc.Anomalies {
		fmt.Fprintf(w, "\n%s: key %q, %s read", a.Kind, a.Key, orDash(a.Level))
		if a.Node != "" {
			fmt.Fprintf(w, " on node %s", a.Node)
		}
		if a.Incarnation != "" {
			fmt.Fprintf(w, " (incarnation %s)", a.Incarnation)
		}
		fmt.Fprintf(w, "\n  %s\n", a.Text)
		for _, op := range a.Ops {
			fmt.Fprintf(w, "    %s\n", op)
		}
	}
	if n := rc.AnomaliesTotal - len(rc.Anomalies); n > 0 {
		fmt.Fprintf(w, "\n… and %d more anomalies\n", n)
	}
	// Porcupine's explanations where they are the verdict: the linearizable
	// level's keys (or, without reads, the writes').
	explain := res
	if lin := rc.Level(linearizability.LevelLinearizable); lin != nil {
		explain = lin.Check
	} else if len(rc.Levels) > 0 {
		explain = nil
	}
	if explain != nil {
		for _, ex := range explain.Explanations {
			fmt.Fprintf(w, "\n%s", indent(ex.Text, "  "))
		}
	}
	if len(unknown) > 0 {
		fmt.Fprintln(w)
	}
	for _, k := range unknown {
		kr := res.Keys[k]
		fmt.Fprintf(w, "key %q: unknown: %s (%d operations, %d with unknown outcome)\n", k, kr.Reason, kr.Operations, kr.Unknown)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// progress shows a live status line on stderr for long runs: nothing for the
// first second, then a line that updates in place on a terminal, or a line
// every 5 seconds otherwise.
type progress struct {
	e           *env
	start       time.Time
	mu          sync.Mutex
	phase       string
	done, total int
	quit        chan struct{}
	wg          sync.WaitGroup
	shown       atomic.Bool
}

func startProgress(e *env) *progress {
	p := &progress{e: e, start: time.Now(), quit: make(chan struct{})}
	p.wg.Add(1)
	go p.loop()
	return p
}

func (p *progress) set(phase string, done, total int) {
	p.mu.Lock()
	p.phase, p.done, p.total = phase, done, total
	p.mu.Unlock()
}

func (p *progress) line() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := time.Since(p.start).Round(100 * time.Millisecond)
	if p.total > 0 {
		return fmt.Sprintf("%s: %d/%d keys, %s", p.phase, p.done, p.total, elapsed)
	}
	return fmt.Sprintf("%s: %d events, %s", p.phase, p.done, elapsed)
}

func (p *progress) loop() {
	defer p.wg.Done()
	every := 5 * time.Second
	if p.e.stderrTTY {
		every = 250 * time.Millisecond
	}
	first := time.NewTimer(time.Second)
	defer first.Stop()
	select {
	case <-p.quit:
		return
	case <-first.C:
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if p.e.stderrTTY {
			fmt.Fprintf(p.e.stderr, "\r\033[K%s", p.line())
		} else {
			fmt.Fprintln(p.e.stderr, p.line())
		}
		p.shown.Store(true)
		select {
		case <-p.quit:
			return
		case <-tick.C:
		}
	}
}

func (p *progress) stop() {
	close(p.quit)
	p.wg.Wait()
	if p.shown.Load() && p.e.stderrTTY {
		fmt.Fprint(p.e.stderr, "\r\033[K")
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
