package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/raftlab/raftlab/cluster"
)

func init() {
	register(&command{
		name:    "clean",
		summary: "remove the lab's leftover containers, networks and volumes",
		usage: `usage: chaoslab clean [--all]

Removes every container, network and volume labelled raftlab=1 that a
process which no longer runs left behind (a test or run that was killed).
Live clusters of running tests and runs are left alone.

  --all    remove everything labelled raftlab=1, live clusters included
`,
		run: runClean,
	})
}

func runClean(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("clean", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	all := fs.Bool("all", false, "")
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) > 0 {
		err = fmt.Errorf("unexpected argument %q", pos[0])
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab clean: %v\n\n%s", err, commands["clean"].usage)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	sweep := cluster.Sweep
	if *all {
		sweep = cluster.SweepAll
	}
	if err := sweep(ctx); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab clean: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(e.stdout, "chaoslab clean: done")
	return exitOK
}
