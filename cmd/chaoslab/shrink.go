package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
)

// shrink writes the counterexample of a checked history (check --shrink).
// Its messages go to stderr so that --json output stays one document.
func shrink(ctx context.Context, e *env, events []linearizability.Event, rc *readcheck.Result, out, htmlOut string, budget time.Duration) int {
	if len(rc.Anomalies) > 0 {
		a := rc.Anomalies[0]
		sub, err := readcheck.Counterexample(events, a)
		if err == nil {
			err = writeHTML(out, func(w io.Writer) error { return linearizability.WriteJSONL(w, sub) })
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "chaoslab check: --shrink: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(e.stderr, "chaoslab check: %s on key %q cut to %s; wrote %s\n", a.Kind, a.Key, plural(len(sub), "event"), out)
		if htmlOut != "" {
			fmt.Fprintf(e.stderr, "chaoslab check: --shrink-html: not drawn for a read-contract anomaly (check %s --html instead)\n", out)
		}
		return exitOK
	}
	// Porcupine's verdict on the linearizable reads (or the writes alone).
	var res *linearizability.Result
	switch lin := rc.Level(linearizability.LevelLinearizable); {
	case lin != nil && lin.Linearizable == linearizability.NotLinearizable:
		r, err := linearizability.Check(ctx, readcheck.LinearizableOnly(events), linearizability.Options{})
		if err != nil {
			fmt.Fprintf(e.stderr, "chaoslab check: --shrink: %v\n", err)
			return exitFailure
		}
		res = r
	case len(rc.Levels) == 0 && rc.Linearizability.Verdict == linearizability.NotLinearizable:
		res = rc.Linearizability
	}
	if res == nil || res.Verdict != linearizability.NotLinearizable {
		fmt.Fprintf(e.stderr, "chaoslab check: --shrink: every read meets its level's contract, nothing to shrink; %s not written\n", out)
		return exitOK
	}
	ce, err := res.Shrink(ctx, linearizability.ShrinkOptions{Budget: budget})
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab check: --shrink: %v\n", err)
		return exitFailure
	}
	if err := writeHTML(out, ce.WriteJSONL); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab check: --shrink: %v\n", err)
		return exitFailure
	}
	stopped := ""
	if ce.StoppedEarly {
		stopped = fmt.Sprintf("; stopped early (%s), a smaller one may exist", ce.StopReason)
	}
	searches := "searches"
	if ce.Checks == 1 {
		searches = "search"
	}
	fmt.Fprintf(e.stderr, "chaoslab check: key %q shrunk from %d to %s (%s) in %s, %d porcupine %s%s; wrote %s\n",
		ce.Key, ce.Original, plural(ce.Kept, "operation"), plural(ce.Nemesis, "nemesis event"),
		ce.Elapsed.Round(10*time.Microsecond), ce.Checks, searches, stopped, out)
	if htmlOut != "" {
		if err := writeHTML(htmlOut, ce.WriteHTML); err != nil {
			fmt.Fprintf(e.stderr, "chaoslab check: --shrink-html: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(e.stderr, "chaoslab check: wrote %s\n", htmlOut)
	}
	return exitOK
}
