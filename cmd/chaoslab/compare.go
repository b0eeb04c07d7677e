package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/raftlab/raftlab/campaign"
	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/compare"
	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/systems"
)

func init() {
	register(&command{
		name:    "compare",
		summary: "run the same scenarios and seeds on several systems; one page and compare.json side by side",
		usage: `usage: chaoslab compare [--systems LIST] [--scenarios LIST] [--seeds N] [--seed S]
                        [--duration D] [--out DIR] [--check-timeout D] [--verbose]
       chaoslab compare rebuild DIR

Runs every scenario of LIST with N seeds on each system (one run after
another; folders OUT/runs/<system>/<scenario>-s<seed>/, as 'chaoslab run'
writes them) and writes into OUT:
  compare.html  per scenario and system the verdicts, ok/s quiet vs under
                faults, availability, p99 and unknown operations; bars of
                availability per fault kind and of throughput, both systems
                in one chart
  compare.json  the same figures
A scenario a system cannot run (it needs a capability the system lacks) is
listed as not applicable there and does not run. 'rebuild DIR' writes DIR's
compare.json and compare.html again from its run folders (offline).

  --systems LIST      comma-separated systems (default raftkv,etcd)
  --scenarios LIST    comma-separated scenario and set names (default
                      kill-leader,partition-leader,pause,stale-reads)
  --seeds N           seeds per scenario (default 2)
  --seed S            first seed (default 1); the seeds are S..S+N-1
  --duration D        workload duration of every run (default: each scenario's)
  --out DIR           folder (default results/compare-<timestamp>)
  --check-timeout D   linearizability checker budget per key (default 20s)
  --verbose           log the clusters' and the nemeses' progress to stderr

Exit codes: 0 every run that ran had its expected verdict, 1 some did not,
4 usage error, 5 some run could not be carried out or the files could not be
written, 130 interrupted.
`,
		run: runCompare,
	})
}

type compareFlags struct {
	systems      []system.System
	scenarios    []scenarios.Scenario
	seeds        []uint64
	duration     time.Duration
	out          string
	checkTimeout time.Duration
	verbose      bool
}

func parseCompareFlags(args []string) (*compareFlags, error) {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	sysList := fs.String("systems", "raftkv,etcd", "")
	list := fs.String("scenarios", "kill-leader,partition-leader,pause,stale-reads", "")
	nSeeds := fs.Int("seeds", 2, "")
	seed := fs.Uint64("seed", 1, "")
	duration := fs.Duration("duration", 0, "")
	out := fs.String("out", "", "")
	checkTimeout := fs.Duration("check-timeout", 20*time.Second, "")
	verbose := fs.Bool("verbose", false, "")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("unexpected argument %q", pos[0])
	}
	f := &compareFlags{duration: *duration, out: *out, checkTimeout: *checkTimeout, verbose: *verbose}
	seen := map[string]bool{}
	for _, n := range strings.Split(*sysList, ",") {
		n = strings.TrimSpace(n)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		s, err := systems.Lookup(n, systems.Source{})
		if err != nil {
			return nil, fmt.Errorf("--systems: %w", err)
		}
		f.systems = append(f.systems, s)
	}
	if len(f.systems) == 0 {
		return nil, errors.New("--systems: name at least one system")
	}
	names, err := campaign.Resolve(*list)
	if err != nil {
		return nil, fmt.Errorf("--scenarios: %w", err)
	}
	for _, n := range names {
		s, _ := scenarios.Lookup(n)
		if f.duration > 0 {
			s.Duration = f.duration
		}
		f.scenarios = append(f.scenarios, s)
	}
	if *nSeeds < 1 || *nSeeds > 100 {
		return nil, fmt.Errorf("--seeds %d: want 1..100", *nSeeds)
	}
	if *seed == 0 || *seed > 1<<53-1000 {
		return nil, fmt.Errorf("--seed %d: want a positive integer below 2^53-1000", *seed)
	}
	f.seeds = campaign.Seeds(*seed, *nSeeds)
	if *duration < 0 || (*duration > 0 && *duration < time.Second) {
		return nil, errors.New("--duration must be at least 1s")
	}
	if *checkTimeout <= 0 {
		return nil, errors.New("--check-timeout must be positive")
	}
	return f, nil
}

func runCompare(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "rebuild" {
		return runCompareRebuild(e, args[1:])
	}
	f, err := parseCompareFlags(args)
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab compare: %v\n\n%s", err, commands["compare"].usage)
		return exitUsage
	}
	if f.out == "" {
		f.out = filepath.Join("results", "compare-"+time.Now().Format("20060102-150405"))
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go removeOnSecondSignal(ctx, e, "compare")
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelInfo
	} else {
		tclog.SetDefault(tclog.NewNoopLogger())
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	if err := cluster.CheckDocker(ctx); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab compare: %v\n", err)
		return exitFailure
	}
	if err := cluster.Sweep(ctx); err != nil {
		logger.Warn("sweep of earlier runs' leftovers", "err", err)
	}
	var (
		sysNames, scNames []string
		runs              []compare.Run
		notApplicable     = map[string]string{}
		errored           = map[string]int{}
		unexpected        bool
	)
	for _, s := range f.systems {
		sysNames = append(sysNames, s.Name())
	}
	for _, s := range f.scenarios {
		scNames = append(scNames, s.Name)
	}
	write := func() error {
		return compare.Write(f.out, compare.Build(sysNames, scNames, f.seeds, runs, notApplicable, errored))
	}
	// Seed by seed, system by system: a comparison cut short has every
	// scenario on every system once.
	for _, seed := range f.seeds {
		for _, s := range f.scenarios {
			for _, sys := range f.systems {
				key := s.Name + "/" + sys.Name()
				if ok, why := scenarios.Applicable(s, sys); !ok {
					notApplicable[key] = why
					continue
				}
				rel := filepath.Join("runs", sys.Name(), s.Name+"-s"+strconv.FormatUint(seed, 10))
				fmt.Fprintf(e.stderr, "chaoslab compare: %s on %s, seed %d → %s\n", s.Name, sys.Name(), seed, rel)
				sum, err := scenarios.Run(ctx, s, scenarios.Options{
					Seed: seed, Out: filepath.Join(f.out, rel), Logger: logger, CheckTimeout: f.checkTimeout, System: sys,
				})
				if ctx.Err() != nil {
					_ = write()
					return exitInterrupted
				}
				if err != nil || sum == nil {
					errored[key]++
					fmt.Fprintf(e.stderr, "chaoslab compare: %s on %s, seed %d: not carried out: %v\n", s.Name, sys.Name(), seed, err)
					continue
				}
				if !sum.AsExpected {
					unexpected = true
				}
				fmt.Fprintf(e.stderr, "chaoslab compare: %s on %s, seed %d: %s\n", s.Name, sys.Name(), seed, sum.Outcome)
				run := compare.Run{System: sys.Name(), Summary: sum, Dir: rel}
				if rec, err := recoveries(filepath.Join(f.out, rel), sum); err == nil {
					run.Recoveries = rec
				} else {
					fmt.Fprintf(e.stderr, "chaoslab compare: %s on %s, seed %d: recovery times: %v\n", s.Name, sys.Name(), seed, err)
				}
				runs = append(runs, run)
				if err := write(); err != nil {
					fmt.Fprintf(e.stderr, "chaoslab compare: %v\n", err)
					return exitFailure
				}
			}
		}
	}
	if err := write(); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab compare: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "compared %s on %d scenario(s) × %d seed(s)\n  page: %s\n", strings.Join(sysNames, ", "),
		len(scNames), len(f.seeds), filepath.Join(f.out, compare.PageFile))
	switch {
	case len(errored) > 0:
		return exitFailure
	case unexpected:
		return exitNotLinear
	}
	return exitOK
}

// recoveries reads a run's history and computes its fault windows'
// recovery times.
func recoveries(dir string, sum *report.Summary) ([]compare.Recovery, error) {
	f, err := os.Open(filepath.Join(dir, report.HistoryFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	events, err := linearizability.ReadJSONL(f)
	if err != nil {
		return nil, err
	}
	ops, err := linearizability.Pair(events)
	if err != nil {
		return nil, err
	}
	return compare.Recoveries(ops, sum.Faults), nil
}

// runCompareRebuild rewrites a comparison's page and JSON from its run
// folders: DIR/runs/<system>/<scenario>-s<seed>/ with their summary.json and
// history.jsonl. The systems, scenarios, seeds and not-applicable cells are
// those of DIR's compare.json.
func runCompareRebuild(e *env, args []string) int {
	if len(args) != 1 {
		fmt.Fprintf(e.stderr, "chaoslab compare rebuild: want one folder\n\n%s", commands["compare"].usage)
		return exitUsage
	}
	dir := args[0]
	b, err := os.ReadFile(filepath.Join(dir, compare.JSONFile))
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab compare rebuild: %v\n", err)
		return exitUnreadable
	}
	var old compare.Comparison
	if err := json.Unmarshal(b, &old); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab compare rebuild: %s: %v\n", compare.JSONFile, err)
		return exitUnreadable
	}
	na, errored := map[string]string{}, map[string]int{}
	var runs []compare.Run
	for _, c := range old.Cells {
		key := c.Scenario + "/" + c.System
		if c.NotApplicable != "" {
			na[key] = c.NotApplicable
		}
		if c.Errors > 0 {
			errored[key] = c.Errors
		}
		for _, rel := range c.Dirs {
			sum, err := report.ReadSummary(filepath.Join(dir, rel, report.SummaryFile))
			if err != nil {
				fmt.Fprintf(e.stderr, "chaoslab compare rebuild: %v\n", err)
				return exitUnreadable
			}
			run := compare.Run{System: c.System, Summary: sum, Dir: rel}
			if rec, err := recoveries(filepath.Join(dir, rel), sum); err == nil {
				run.Recoveries = rec
			}
			runs = append(runs, run)
		}
	}
	if err := compare.Write(dir, compare.Build(old.Systems, old.Scenarios, old.Seeds, runs, na, errored)); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab compare rebuild: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "page: %s\n", filepath.Join(dir, compare.PageFile))
	return exitOK
}
