package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/raftlab/raftlab/campaign"
	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/scenarios"
	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/systems"
)

// exitIncomplete: every run of a campaign that ran had its expected
// verdict, but the budget left some unstarted.
const exitIncomplete = 6

func init() {
	register(&command{
		name:    "campaign",
		summary: "run scenarios × seeds within a time budget; one HTML page, JUnit and Markdown for all",
		usage: `usage: chaoslab campaign [--scenarios LIST] [--seeds N] [--seed S] [--duration D | --duration-scale X]
                         [--budget D] [--shard I/N] [--out DIR] [--check-timeout D]
                         [--attempts N] [--title T] [--verbose] [--system NAME]
       chaoslab campaign merge OUT DIR...

Runs every scenario of LIST with N seeds, one run after another, each in its
own folder (OUT/runs/<scenario>-s<seed>/, as 'chaoslab run' writes it), and
writes into OUT:
  index.html     one self-contained page: scenario × seed, each run's status
                 (colour and word), operations, availability during faults,
                 time to the first violation, link to its report; totals; the
                 command that repeats each failing run
  junit.xml      a testcase per run (unexpected verdict: failure; unknown:
                 failure; run not carried out: error; budget: skipped)
  summary.md     a short summary for a CI job page ($GITHUB_STEP_SUMMARY)
  campaign.json  the manifest (matrix and results) the others are built from
They are rewritten after every run, so a campaign killed midway leaves a page.

Runs go seed by seed (every scenario with the first seed, then the second,
...), so a campaign cut short by its budget has covered every scenario once.
A run starts only when the budget left is at least its expected length (its
workload duration plus the measured overhead of earlier runs, 25 s before
the first); runs not started are "skipped (budget)".

  --scenarios LIST    comma-separated scenario and set names (default ci);
                      sets: ` + strings.Join(campaign.SetNames(), ", ") + `
  --seeds N           seeds per scenario (default 1)
  --seed S            first seed; the seeds are S, S+1, ..., S+N-1 (default:
                      from the clock; required with --shard)
  --duration D        workload duration of every run (default: each scenario's)
  --duration-scale X  multiply each scenario's own duration by X (1..20; the
                      nightly job runs 3: more fault windows per run than CI)
  --budget D          stop starting runs when D would be exceeded (default: none)
  --shard I/N         run only slice I of N of the matrix (jobs dealt round-robin);
                      every shard must get the same other flags
  --out DIR           campaign folder (default results/campaign-<timestamp>)
  --check-timeout D   linearizability checker budget per key (default 20s)
  --attempts N        runs a scenario broken on purpose gets, with the same seed,
                      before a run that misses its violation counts (default 3:
                      catching leader-reads-partition's bug is a scheduler race
                      that a single run loses 2-3% of the time)
  --system NAME       the system under test: raftkv (default) or etcd; scenarios
                      of LIST that need what the system lacks are left out of the
                      matrix (named on stderr; never run, never counted as a pass)
  --title T           the page's title
  --verbose           log the clusters' and the nemeses' progress to stderr

'merge' combines shard folders (each with its campaign.json) into OUT: one
page, JUnit file, summary and manifest; run folders outside OUT are copied
in. Runs that no shard reports are listed as not run (an error). A single
folder rebuilds its own page. A self-test's folder (chaoslab selftest --out)
merges with a campaign's shards: one page, the scenario × seed matrix and
below it the detection power (planted bugs × scenarios × seeds, and the
unmodified store).

Exit codes: 0 every run had its expected verdict; 1 some run had a definite
unexpected verdict (a violation where none was expected, a planted bug not
caught, replicas that diverged); 2 none of those, but the checker could not
decide some run or too few of a run's faults took effect; 3 (merge) a campaign.json unreadable or shards of different
matrices; 4 usage error; 5 some run could not be carried out or never ran
(no Docker, a shard missing), or no run at all was started (the budget skipped
every one: a shard that ran nothing shows nothing), or the campaign's files
could not be written; 6 every run that ran had its expected verdict but the
budget skipped some;
130 interrupted.
`,
		run: runCampaign,
	})
}

// campaignFlags are the parsed flags of chaoslab campaign.
type campaignFlags struct {
	matrix       campaign.Matrix
	shard        campaign.Shard
	budget       time.Duration
	out          string
	checkTimeout time.Duration
	title        string
	attempts     int
	verbose      bool
	system       system.System
	// notApplicable are the scenarios of LIST left out: name → why.
	notApplicable map[string]string
}

func parseCampaignFlags(args []string) (*campaignFlags, error) {
	fs := flag.NewFlagSet("campaign", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	list := fs.String("scenarios", "ci", "")
	nSeeds := fs.Int("seeds", 1, "")
	seed := fs.String("seed", "", "")
	duration := fs.Duration("duration", 0, "")
	scale := fs.Float64("duration-scale", 0, "")
	budget := fs.Duration("budget", 0, "")
	shard := fs.String("shard", "", "")
	out := fs.String("out", "", "")
	checkTimeout := fs.Duration("check-timeout", 20*time.Second, "")
	title := fs.String("title", "", "")
	attempts := fs.Int("attempts", 3, "")
	verbose := fs.Bool("verbose", false, "")
	sysName := fs.String("system", systems.Default, "")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("unexpected argument %q", pos[0])
	}
	f := &campaignFlags{budget: *budget, out: *out, checkTimeout: *checkTimeout, title: *title, attempts: *attempts, verbose: *verbose}
	if f.attempts < 1 || f.attempts > 10 {
		return nil, fmt.Errorf("--attempts %d: want 1..10", f.attempts)
	}
	if f.system, err = systems.Lookup(*sysName, systems.Source{}); err != nil {
		return nil, fmt.Errorf("--system: %w", err)
	}
	names, err := campaign.Resolve(*list)
	if err != nil {
		return nil, fmt.Errorf("--scenarios: %w", err)
	}
	f.notApplicable = map[string]string{}
	for _, n := range names {
		s, _ := scenarios.Lookup(n)
		if ok, why := scenarios.Applicable(s, f.system); !ok {
			f.notApplicable[n] = why
			continue
		}
		f.matrix.Scenarios = append(f.matrix.Scenarios, n)
	}
	if len(f.matrix.Scenarios) == 0 {
		return nil, fmt.Errorf("--scenarios %s: none applies to %s", *list, f.system.Name())
	}
	if f.system.Name() != systems.Default {
		f.matrix.System = f.system.Name()
	}
	if *nSeeds < 1 || *nSeeds > 1000 {
		return nil, fmt.Errorf("--seeds %d: want 1..1000", *nSeeds)
	}
	if *shard != "" {
		if f.shard, err = campaign.ParseShard(*shard); err != nil {
			return nil, fmt.Errorf("--shard: %w", err)
		}
	}
	var first uint64
	switch {
	case *seed != "":
		if first, err = strconv.ParseUint(*seed, 10, 64); err != nil || first == 0 || first > 1<<53-1000 {
			return nil, fmt.Errorf("--seed %q: want a positive integer below 2^53-1000", *seed)
		}
	case !f.shard.Whole():
		return nil, errors.New("--shard needs --seed, so that every shard runs the same matrix")
	default:
		// Short seeds read well in the page's columns and repro commands.
		first = uint64(time.Now().UnixNano()/int64(time.Microsecond))%999_000 + 1
	}
	f.matrix.Seeds = campaign.Seeds(first, *nSeeds)
	if *duration < 0 || (*duration > 0 && *duration < time.Second) {
		return nil, errors.New("--duration must be at least 1s")
	}
	f.matrix.Duration = *duration
	if *scale != 0 && (*scale < 1 || *scale > 20) {
		return nil, fmt.Errorf("--duration-scale %g: want 1..20", *scale)
	}
	if *scale != 0 && *duration > 0 {
		return nil, errors.New("--duration-scale and --duration exclude each other")
	}
	f.matrix.Scale = *scale
	if *checkTimeout != 20*time.Second {
		f.matrix.CheckTimeout = *checkTimeout // the default stays implicit in repro commands
	}
	if *budget < 0 {
		return nil, errors.New("--budget must not be negative")
	}
	if *checkTimeout <= 0 {
		return nil, errors.New("--check-timeout must be positive")
	}
	if err := f.matrix.Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

func runCampaign(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "merge" {
		return runCampaignMerge(e, args[1:])
	}
	f, err := parseCampaignFlags(args)
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab campaign: %v\n\n%s", err, commands["campaign"].usage)
		return exitUsage
	}
	if f.out == "" {
		f.out = filepath.Join("results", "campaign-"+time.Now().Format("20060102-150405"))
	}
	_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true") // see runRun
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go removeOnSecondSignal(ctx, e, "campaign")

	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelInfo
	} else {
		tclog.SetDefault(tclog.NewNoopLogger()) // its banner would break the live line
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	if err := cluster.CheckDocker(ctx); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab campaign: %v\n", err)
		return exitFailure
	}
	if err := cluster.Sweep(ctx); err != nil {
		logger.Warn("sweep of earlier runs' leftovers", "err", err)
	}

	for _, n := range slices.Sorted(maps.Keys(f.notApplicable)) {
		fmt.Fprintf(e.stderr, "chaoslab campaign: %s is not applicable to %s (left out): %s\n", n, f.system.Name(), f.notApplicable[n])
	}
	m := campaign.NewManifest(f.matrix, f.shard, commandLine("campaign", args, f))
	m.Title = f.title
	if m.Title == "" && f.matrix.System != "" {
		m.Title = "Chaos campaign on " + f.matrix.System
	}
	slice := "all"
	if !f.shard.Whole() {
		slice = "shard " + f.shard.String()
	}
	fmt.Fprintf(e.stderr, "chaoslab campaign: %d runs (%s of %d scenario(s) × %d seed(s) from seed %d), out %s\n",
		len(m.Results), slice, len(f.matrix.Scenarios), len(f.matrix.Seeds), f.matrix.Seeds[0], f.out)
	err = campaign.Execute(ctx, m, campaign.Options{
		Out:         f.out,
		Runner:      campaign.ScenarioRunner{Logger: logger, CheckTimeout: f.checkTimeout, ProgressTTY: e.stderrTTY, System: f.system},
		Budget:      f.budget,
		Attempts:    f.attempts,
		Progress:    e.stderr,
		ProgressTTY: e.stderrTTY,
		Checkpoint:  func(m *campaign.Manifest) error { return campaign.Write(f.out, m) },
	})
	fmt.Fprintf(e.stdout, "%s\n  page: %s\n", m.Tally().Headline(), filepath.Join(f.out, campaign.PageFile))
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(e.stderr, "chaoslab campaign: %v\n", err)
		return exitFailure
	}
	return campaignExit(m.Tally())
}

func runCampaignMerge(e *env, args []string) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(e.stdout, commands["campaign"].usage)
		return exitOK
	}
	if len(args) < 2 {
		fmt.Fprintf(e.stderr, "chaoslab campaign merge: want OUT and at least one campaign folder\n\n%s", commands["campaign"].usage)
		return exitUsage
	}
	out, dirs := args[0], args[1:]
	m, err := campaign.Merge(out, dirs, "chaoslab campaign merge "+shellJoin(args))
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab campaign merge: %v\n", err)
		return exitUnreadable
	}
	if err := campaign.Write(out, m); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab campaign merge: %v\n", err)
		return exitFailure
	}
	t := m.Tally()
	fmt.Fprintf(e.stdout, "%s\n  %d runs from %d folders: %d pass, %d fail, %d unknown, %d error, %d not run, %d skipped\n  page: %s\n",
		t.Headline(), t.Runs, len(dirs), t.Pass, t.Fail, t.Unknown, t.Error, t.Pending, t.Skipped, filepath.Join(out, campaign.PageFile))
	return campaignExit(t)
}

// campaignExit maps a campaign's overall verdict to chaoslab's exit codes.
func campaignExit(t campaign.Tally) int {
	switch t.Verdict() {
	case campaign.Failed:
		return exitNotLinear
	case campaign.Undecided:
		return exitUnknown
	case campaign.Errors, campaign.NothingRan:
		return exitFailure
	case campaign.Incomplete:
		return exitIncomplete
	}
	return exitOK
}

// commandLine is the campaign's command as it could be typed again, with
// the seed made explicit (it may have come from the clock).
func commandLine(name string, args []string, f *campaignFlags) string {
	cmd := "chaoslab " + name + " " + shellJoin(args)
	if !strings.Contains(" "+strings.Join(args, " "), " --seed") && !strings.Contains(" "+strings.Join(args, " "), " -seed") {
		cmd += fmt.Sprintf(" --seed %d", f.matrix.Seeds[0])
	}
	return strings.TrimSpace(cmd)
}

// shellJoin quotes args for a POSIX shell where needed.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./,=:@%+", r))
		}) < 0 {
			q[i] = a
			continue
		}
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// removeOnSecondSignal removes this process's containers and exits when a
// second interrupt arrives while the first one's cleanup runs.
func removeOnSecondSignal(ctx context.Context, e *env, name string) {
	<-ctx.Done()
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	<-ch
	fmt.Fprintf(e.stderr, "\nchaoslab %s: second interrupt; removing this process's containers and exiting\n", name)
	sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	_ = cluster.SweepOwn(sctx)
	cancel()
	os.Exit(exitInterrupted)
}
