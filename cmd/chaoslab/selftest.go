package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/campaign"
	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/selftest"
	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/systems"
)

func init() {
	register(&command{
		name:    "selftest",
		summary: "prove the lab's power: planted bugs × their scenarios × seeds, and the unmodified store",
		usage: `usage: chaoslab selftest [--bugs NAME,...] [--seeds N] [--duration D] [--out DIR]
                         [--scenarios-per-bug N] [--min-rate R] [--no-baseline] [--list]
                         [--system NAME]

Runs each planted bug of the store (a named unsafe behaviour built into the
failpoint image and switched on at start) through the scenarios meant to catch
it, for seeds 1..N, and the unmodified store through the same scenarios, one
run after another (seed by seed). The self-test is a campaign with a bug axis:
the campaign's driver runs it and it writes a campaign's files into --out
(index.html, campaign.json, junit.xml, summary.md; 'chaoslab campaign merge'
puts it on one page with a campaign). Prints the matrix bug × scenario →
caught k of n with its 95% interval, the median and worst seconds of workload
until the first violation (a read that breaks its level's contract), and the
unmodified store's clean runs, false alarms, unknowns and errors. Needs a
Docker engine.

  --bugs NAMES     planted bugs to run, comma-separated (default: all; --list shows them)
  --seeds N        seeds per bug and scenario (default 3)
  --duration D     workload duration of every run (default: each scenario's own)
  --out DIR        folder of the self-test (default results/selftest-<timestamp>)
  --scenarios-per-bug N
                   only each bug's first N scenarios (the likeliest catchers; default 0: all)
  --min-rate R     a bug counts as caught when some scenario catches it in at least
                   this share of its seeds (default 0.9)
  --no-baseline    skip the unmodified store's runs
  --list           print the planted bugs and their scenarios, and exit
  --system NAME    the system under test (default raftkv, the only one with planted
                   bugs: another exits 6, not applicable)

Exit codes: 0 every bug caught at --min-rate and every run of the unmodified
store clean, 1 a bug missed too often or a false alarm, 2 some run of the
unmodified store errored or came back unknown (the baseline is not shown clean;
errors and unknowns are counted apart, never as clean), 4 usage error, 5 runs
could not be carried out (no Docker), 130 interrupted.
`,
		run: runSelftest,
	})
}

type selftestFlags struct {
	bugs     []bugs.Bug
	seeds    int
	duration time.Duration
	out      string
	minRate  float64
	baseline bool
	list     bool
	perBug   int
}

func parseSelftestFlags(args []string) (*selftestFlags, error) {
	fs := flag.NewFlagSet("selftest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	names := fs.String("bugs", "", "")
	seeds := fs.Int("seeds", 3, "")
	duration := fs.Duration("duration", 0, "")
	out := fs.String("out", "", "")
	minRate := fs.Float64("min-rate", 0.9, "")
	noBaseline := fs.Bool("no-baseline", false, "")
	list := fs.Bool("list", false, "")
	sysName := fs.String("system", systems.Default, "")
	perBug := fs.Int("scenarios-per-bug", 0, "")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	sys, err := systems.Lookup(*sysName, systems.Source{})
	if err != nil {
		return nil, fmt.Errorf("--system: %w", err)
	}
	if why := sys.Lacks(system.PlantedBugs); why != "" {
		return nil, &notApplicableError{fmt.Sprintf("the self-test needs planted bugs, and %s has none: %s", sys.Name(), why)}
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("unexpected argument %q", pos[0])
	}
	f := &selftestFlags{seeds: *seeds, duration: *duration, out: *out, minRate: *minRate, baseline: !*noBaseline, list: *list}
	if f.perBug = *perBug; f.perBug < 0 {
		return nil, fmt.Errorf("--scenarios-per-bug %d: want 0 (all) or more", f.perBug)
	}
	if f.seeds < 1 || f.seeds > 1000 {
		return nil, fmt.Errorf("--seeds %d: want 1..1000", f.seeds)
	}
	if f.duration < 0 || (f.duration > 0 && f.duration < time.Second) {
		return nil, errors.New("--duration must be at least 1s")
	}
	if f.minRate < 0 || f.minRate > 1 {
		return nil, fmt.Errorf("--min-rate %g: want 0..1", f.minRate)
	}
	if *names == "" {
		f.bugs = bugs.All
	} else {
		for _, n := range strings.Split(*names, ",") {
			b, ok := bugs.Lookup(strings.TrimSpace(n))
			if !ok {
				var known []string
				for _, b := range bugs.All {
					known = append(known, b.Name)
				}
				return nil, fmt.Errorf("--bugs: unknown planted bug %q (known: %s)", n, strings.Join(known, ", "))
			}
			f.bugs = append(f.bugs, b)
		}
	}
	return f, nil
}

func runSelftest(ctx context.Context, e *env, args []string) int {
	f, err := parseSelftestFlags(args)
	var na *notApplicableError
	if errors.As(err, &na) {
		fmt.Fprintf(e.stderr, "chaoslab selftest: not applicable: %s\n", na.why)
		return exitNotApplicable
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab selftest: %v\n\n%s", err, commands["selftest"].usage)
		return exitUsage
	}
	if f.list {
		for _, b := range f.bugs {
			fmt.Fprintf(e.stdout, "%s\n  %s\n  seen in the wild: %s\n  scenarios: %s\n", b.Name, b.Description, b.Report, strings.Join(b.Scenarios, ", "))
		}
		return exitOK
	}
	mx, missing := selftest.Plan(f.bugs, f.seeds, f.baseline, f.perBug, f.duration)
	for _, m := range missing {
		fmt.Fprintf(e.stderr, "chaoslab selftest: skipped %s\n", m)
	}
	if err := mx.Validate(); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab selftest: nothing to run: %v\n", err)
		return exitUsage
	}
	_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true") // see runRun
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go removeOnSecondSignal(ctx, e, "selftest")
	tclog.SetDefault(tclog.NewNoopLogger()) // its banner would break the live line
	if err := cluster.CheckDocker(ctx); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab selftest: %v\n", err)
		return exitFailure
	}
	_ = cluster.Sweep(ctx)
	if f.out == "" {
		f.out = filepath.Join("results", "selftest-"+time.Now().Format("20060102-150405"))
	}
	m := campaign.NewManifest(mx, campaign.Shard{}, "chaoslab selftest "+shellJoin(args))
	m.Title = "Self-test: what the lab catches"
	fmt.Fprintf(e.stderr, "chaoslab selftest: %d runs (%d planted bugs, %d seeds each%s) into %s\n",
		len(m.Results), len(f.bugs), f.seeds, map[bool]string{true: ", plus the unmodified store", false: ""}[f.baseline], f.out)
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	err = campaign.Execute(ctx, m, campaign.Options{
		Out:         f.out,
		Runner:      campaign.ScenarioRunner{Logger: logger, CheckTimeout: 20 * time.Second, ProgressTTY: e.stderrTTY},
		Progress:    e.stderr,
		ProgressTTY: e.stderrTTY,
		Checkpoint:  func(m *campaign.Manifest) error { return campaign.Write(f.out, m) },
	})
	p := m.Power()
	_ = p.WriteText(e.stdout)
	fmt.Fprintf(e.stdout, "page: %s\n", filepath.Join(f.out, campaign.PageFile))
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(e.stderr, "chaoslab selftest: %v\n", err)
		return exitFailure
	}
	if t := m.Tally(); t.Error == t.Runs {
		return exitFailure
	}
	weak := p.Weak(f.minRate)
	if len(weak) > 0 || p.FalseAlarms > 0 {
		fmt.Fprintf(e.stdout, "missed too often (< %.0f%% of seeds): %s; false alarms: %d\n", 100*f.minRate, strings.Join(weak, ", "), p.FalseAlarms)
		return exitNotLinear
	}
	if f.baseline && !p.BaselineShown() {
		// An errored or unknown run of the unmodified store is not a clean
		// one: the baseline is not shown.
		fmt.Fprintf(e.stdout, "the unmodified store is not shown clean: %s\n", p.BaselineLine())
		return exitUnknown
	}
	return exitOK
}

// writeTo writes a file through write.
func writeTo(path string, write func(io.Writer) error) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(fh); err != nil {
		fh.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return fh.Close()
}

// notApplicableError: the command needs a capability the system lacks.
type notApplicableError struct{ why string }

func (e *notApplicableError) Error() string { return e.why }
