package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/raftlab/raftlab/campaign"
	"github.com/raftlab/raftlab/trend"
)

func init() {
	register(&command{
		name:    "trend",
		summary: "add a night's campaign and self-test to the trend file, draw it, fail on a drop in power",
		usage: `usage: chaoslab trend --file TREND.jsonl [--campaign DIR] [--selftest DIR]
                      [--night NAME] [--html OUT.html]

Adds one line for tonight to TREND.jsonl (created when missing): per planted
bug, the self-test's catch rate and median and worst time to the first
violation; per scenario, the campaign's false alarms and availability during
faults, and the self-test's unmodified store's false alarms. Both come from
campaign folders (campaign.json): a campaign, a self-test (a campaign with a
bug axis) or a page that merged both. Draws every line as a small chart
(--html, default trend.html beside the file). Compares tonight with the line
before.

  --file F       the trend file, one JSON line per night
  --campaign D   tonight's (merged) campaign folder
  --selftest D   tonight's self-test folder, when not merged into --campaign
  --night NAME   tonight's name (default: today's date, UTC)
  --html OUT     the chart page (default: trend.html beside --file)

Exit codes: 0 no regression; 1 a planted bug's catch rate dropped beyond
chance (last night's rate above tonight's 95% interval), a bug caught last
night was not run tonight, or a scenario raised false alarms it did not
raise the night before; 3 an unreadable input; 4 usage error (also: neither
--campaign nor --selftest).
`,
		run: runTrend,
	})
}

func runTrend(_ context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("trend", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("file", "", "")
	camp := fs.String("campaign", "", "")
	self := fs.String("selftest", "", "")
	night := fs.String("night", time.Now().UTC().Format("2006-01-02"), "")
	out := fs.String("html", "", "")
	usage := func(err error) int {
		fmt.Fprintf(e.stderr, "chaoslab trend: %v\n\n%s", err, commands["trend"].usage)
		return exitUsage
	}
	pos, err := parseInterspersed(fs, args)
	switch {
	case err != nil:
		return usage(err)
	case len(pos) > 0:
		return usage(fmt.Errorf("unexpected argument %q", pos[0]))
	case *file == "":
		return usage(fmt.Errorf("--file is required"))
	case *camp == "" && *self == "":
		return usage(fmt.Errorf("give --campaign, --selftest or both"))
	}
	if *out == "" {
		*out = filepath.Join(filepath.Dir(*file), "trend.html")
	}
	lines, err := trend.Read(*file)
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab trend: %v\n", err)
		return exitUnreadable
	}
	l := trend.Line{Night: *night}
	for _, dir := range []string{*camp, *self} {
		if dir == "" {
			continue
		}
		m, err := campaign.ReadManifest(dir)
		if err != nil {
			fmt.Fprintf(e.stderr, "chaoslab trend: %v\n", err)
			return exitUnreadable
		}
		l.FromCampaign(m)
	}
	var regs []string
	if len(lines) > 0 {
		regs = trend.Regressions(lines[len(lines)-1], l)
	}
	if err := os.MkdirAll(filepath.Dir(*file), 0o755); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab trend: %v\n", err)
		return exitFailure
	}
	if err := trend.Append(*file, l); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab trend: %v\n", err)
		return exitFailure
	}
	lines = append(lines, l)
	if err := writeTo(*out, func(w io.Writer) error { return trend.WriteHTML(w, lines, regs) }); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab trend: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "trend: %d nights in %s; chart %s\n", len(lines), *file, *out)
	if len(regs) > 0 {
		for _, r := range regs {
			fmt.Fprintf(e.stdout, "REGRESSION: %s\n", r)
		}
		return exitNotLinear
	}
	fmt.Fprintln(e.stdout, "no rate dropped beyond chance, no new false alarm")
	return exitOK
}
