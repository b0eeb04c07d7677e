package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/raftlab/raftlab/report"
)

func init() {
	register(&command{
		name:    "report",
		summary: "rebuild a stored run's summary.json, report.html and history.html offline",
		usage: `usage: chaoslab report RUN_DIR [--check-timeout D] [--json]

Rebuilds summary.json, report.html and history.html of a run folder written
by 'chaoslab run', from its history.jsonl and run.json (for folders written
before run.json existed: from summary.json). Offline: no Docker. The
linearizability checker runs again, so a run stored before a checker
upgrade is judged by the new checker; an interrupted run stays unchecked.
Flags may come before or after RUN_DIR.

  --check-timeout D   checker budget per key (default: the run's own)
  --json              print the new summary.json to stdout instead of the text verdict

Exit codes as for run: 0 linearizable and converged, 1 not linearizable (or
replicas read disagreed), 2 unknown, 3 unreadable run folder, 4 usage error,
5 other failure (a file cannot be written).
`,
		run: runReport,
	})
}

func runReport(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	checkTimeout := fs.Duration("check-timeout", 0, "")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterspersed(fs, args)
	if err == nil && len(pos) != 1 {
		err = fmt.Errorf("want exactly one RUN_DIR, got %d arguments", len(pos))
	}
	if err == nil && *checkTimeout < 0 {
		err = errors.New("--check-timeout must be positive")
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab report: %v\n\n%s", err, commands["report"].usage)
		return exitUsage
	}
	sum, err := report.Rebuild(ctx, pos[0], report.RebuildOptions{CheckTimeout: *checkTimeout})
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab report: %v\n", err)
		if errors.Is(err, report.ErrUnreadable) {
			return exitUnreadable
		}
		return exitFailure
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(sum)
	} else {
		printSummary(e.stdout, sum)
	}
	if sum.Interrupted {
		return exitUnknown
	}
	return verdictExit(sum)
}
