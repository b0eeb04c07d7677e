package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/raftlab/raftlab/linearizability"
)

func init() {
	register(&command{
		name:    "draw",
		summary: "write a history's porcupine visualization, whatever its verdict",
		usage: `usage: chaoslab draw FILE --html OUT [--timeout D] [--max-ops N] [--keys K1,K2]

Writes porcupine's HTML visualization of the history in FILE to OUT, with the
nemesis events drawn as fault windows. Flags may come before or after FILE.

  --html OUT     where to write the page (required)
  --timeout D    budget of the search behind the picture (default 10s)
  --max-ops N    draw keys until N operations (default 10000; the first key always)
  --keys LIST    comma-separated keys to draw, in this order (default: all)

Exit codes: 0 written, 3 unreadable input (the message names the line),
4 usage error, 5 other failure.
`,
		run: runDraw,
	})
}

func runDraw(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("draw", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	htmlOut := fs.String("html", "", "")
	timeout := fs.Duration("timeout", linearizability.DefaultPerKeyTimeout, "")
	maxOps := fs.Int("max-ops", 10000, "")
	keys := fs.String("keys", "", "")
	pos, err := parseInterspersed(fs, args)
	switch {
	case err != nil:
	case len(pos) != 1:
		err = fmt.Errorf("want exactly one FILE, got %d arguments", len(pos))
	case *htmlOut == "":
		err = errors.New("--html OUT is required")
	case *timeout <= 0:
		err = errors.New("--timeout must be positive")
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab draw: %v\n\n%s", err, commands["draw"].usage)
		return exitUsage
	}
	prog := startProgress(e)
	events, code := readHistory(e, prog, pos[0], "draw")
	prog.stop()
	if code != exitOK {
		return code
	}
	opts := linearizability.DrawOptions{Timeout: *timeout, MaxOperations: *maxOps}
	if *keys != "" {
		opts.Keys = strings.Split(*keys, ",")
	}
	if err := writeHTML(*htmlOut, func(w io.Writer) error { return linearizability.Draw(w, events, opts) }); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab draw: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stderr, "chaoslab draw: wrote %s\n", *htmlOut)
	return exitOK
}
