package main

import (
	"context"
	"fmt"
	"time"

	"github.com/raftlab/raftlab/linearizability"
)

// shrink writes the counterexample of a checked history (check --shrink).
// Its messages go to stderr so that --json output stays one document.
func shrink(ctx context.Context, e *env, res *linearizability.Result, out, htmlOut string, budget time.Duration) int {
	if res.Verdict != linearizability.NotLinearizable {
		fmt.Fprintf(e.stderr, "chaoslab check: --shrink: no key is not linearizable, nothing to shrink; %s not written\n", out)
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
