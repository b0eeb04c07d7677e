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
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/faultshrink"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/systems"
)

// ScenarioCopy is the scenario file a run with --scenario-file leaves in
// its folder, so that shrink-faults replays its explicit schedule.
const scenarioCopy = "scenario.json"

func init() {
	register(&command{
		name:    "shrink-faults",
		summary: "find the fault windows a failing run needs, by replaying it with windows removed",
		usage: `usage: chaoslab shrink-faults RUN_DIR [--replays N] [--budget N] [--out FILE]
                    [--replay-dir DIR] [--check-timeout D] [--verbose]
                    [--node-src DIR | --image REF] [--bug NAME]

Replays a failing run (its scenario, settings and seed, from RUN_DIR/run.json;
or RUN_DIR/scenario.json when the run came from --scenario-file) on fresh
Docker clusters with fault windows removed, delta debugging over the windows
(ddmin): each candidate schedule is replayed up to --replays times, since
timing varies, and fails when more than half of its replays fail: a
violation (exit 1 of 'chaoslab run'), or for a scenario broken on purpose,
the lab catching it (as expected); an errored or unknown replay is no failure. Keeps the
smallest schedule that failed and writes it as a scenario file that
'chaoslab run --scenario-file FILE' replays: exactly those windows, at the
same times, with the same nemeses and target seeds. Each replay's workload
ends one quiet window after its last fault window. Last, budget permitting,
the schedule without any window is tried: when it fails too, the file has
no windows (the failure needs no fault).

  --replays N        replays per candidate schedule (default 3)
  --budget N         replays in all, the original schedule's included (default 24)
  --out FILE         the scenario file (default RUN_DIR/shrink-faults/minimal.json)
  --replay-dir DIR   the replays' run folders (default RUN_DIR/shrink-faults)
  --check-timeout D  linearizability checker budget per key (default 20s)
  --verbose          log the clusters' and nemeses' progress to stderr
  --node-src DIR     build the store from DIR (as 'chaoslab run --node-src')
  --image REF        run a ready image (as 'chaoslab run --image')
  --bug NAME         switch this planted bug on in every replay, as the self-test
                     does (for a self-test run's folder: run.json does not name
                     it); the scenario file records it

Exit codes: 0 the scenario file is written and 1-minimal (no single window
of it can go), 1 the failure did not reproduce (the full schedule failed in
fewer than most replays; nothing written), 2 the file is written but the
budget ran out before it was 1-minimal, 3 RUN_DIR unreadable, 4 usage error,
5 the replays could not be carried out (no Docker), 130 interrupted.
`,
		run: runShrinkFaults,
	})
}

type shrinkFaultsFlags struct {
	dir, out, replayDir string
	replays, budget     int
	checkTimeout        time.Duration
	verbose             bool
	nodeSrc, image      string
	bug                 string
}

func parseShrinkFaultsFlags(args []string) (*shrinkFaultsFlags, error) {
	fs := flag.NewFlagSet("shrink-faults", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &shrinkFaultsFlags{}
	fs.IntVar(&f.replays, "replays", 3, "")
	fs.IntVar(&f.budget, "budget", 24, "")
	fs.StringVar(&f.out, "out", "", "")
	fs.StringVar(&f.replayDir, "replay-dir", "", "")
	fs.DurationVar(&f.checkTimeout, "check-timeout", 20*time.Second, "")
	fs.BoolVar(&f.verbose, "verbose", false, "")
	fs.StringVar(&f.nodeSrc, "node-src", "", "")
	fs.StringVar(&f.image, "image", "", "")
	fs.StringVar(&f.bug, "bug", "", "")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	switch {
	case len(pos) != 1:
		return nil, errors.New("want one RUN_DIR")
	case f.replays < 1:
		return nil, fmt.Errorf("--replays %d: want at least 1", f.replays)
	case f.budget < f.replays:
		return nil, fmt.Errorf("--budget %d: want at least --replays (%d)", f.budget, f.replays)
	case f.checkTimeout <= 0:
		return nil, errors.New("--check-timeout must be positive")
	case f.nodeSrc != "" && f.image != "":
		return nil, errors.New("--node-src and --image exclude each other")
	}
	if f.bug != "" {
		if _, ok := bugs.Lookup(f.bug); !ok {
			return nil, fmt.Errorf("--bug %q: no such planted bug ('chaoslab selftest --list')", f.bug)
		}
	}
	f.dir = pos[0]
	if f.replayDir == "" {
		f.replayDir = filepath.Join(f.dir, "shrink-faults")
	}
	if f.out == "" {
		f.out = filepath.Join(f.replayDir, "minimal.json")
	}
	return f, nil
}

// loadRunScenario rebuilds the scenario of the run in dir, with the
// settings it ran with, and its seed.
func loadRunScenario(dir string) (scenarios.Scenario, uint64, error) {
	if _, err := os.Stat(filepath.Join(dir, scenarioCopy)); err == nil {
		return scenarios.LoadFile(filepath.Join(dir, scenarioCopy))
	}
	r, err := report.ReadRun(dir)
	if err != nil {
		return scenarios.Scenario{}, 0, err
	}
	s, ok := scenarios.Lookup(r.Scenario.Name)
	if !ok {
		return scenarios.Scenario{}, 0, fmt.Errorf("%s: unknown scenario %q", dir, r.Scenario.Name)
	}
	s.Nodes, s.Clients, s.Keys, s.OpsPerKey = r.Scenario.Nodes, r.Scenario.Clients, r.Scenario.Keys, r.Scenario.OpsPerKey
	if r.Scenario.Duration > 0 {
		s.Duration = time.Duration(r.Scenario.Duration * float64(time.Second))
	}
	if err := s.Validate(); err != nil {
		return scenarios.Scenario{}, 0, fmt.Errorf("%s: %w", dir, err)
	}
	return s, r.Seed, nil
}

// subSchedule is s with only the windows keep of plan, its workload
// ending one quiet window (at least a second) after the last of them.
func subSchedule(s scenarios.Scenario, plan []chaos.Step, keep []int) scenarios.Scenario {
	steps := make([]chaos.Step, 0, len(keep))
	for _, i := range keep {
		steps = append(steps, plan[i])
	}
	if len(steps) > 0 {
		last := steps[len(steps)-1]
		s.Duration = min(s.Duration, last.At+last.Length+max(s.Quiet, time.Second))
	}
	s.Steps = steps
	return s
}

// dockerReplayer replays a run on a fresh cluster per replay.
type dockerReplayer struct {
	s      scenarios.Scenario
	seed   uint64
	plan   []chaos.Step
	dir    string
	opts   scenarios.Options
	stderr io.Writer
	n      int
}

func (d *dockerReplayer) Replay(ctx context.Context, keep []int, try int) (faultshrink.Outcome, error) {
	d.n++
	s := subSchedule(d.s, d.plan, keep)
	o := d.opts
	o.Seed = d.seed
	o.Out = filepath.Join(d.dir, fmt.Sprintf("replay-%02d-windows-%s", d.n, windowList(keep)))
	start := time.Now()
	sum, err := scenarios.Run(ctx, s, o)
	if sum == nil {
		return faultshrink.Unknown, err
	}
	if sum.Interrupted {
		return faultshrink.Unknown, errors.New("interrupted")
	}
	out := faultshrink.Unknown
	if err == nil {
		// A run error (a fault that could not be healed) leaves the
		// verdict in doubt: not a failure.
		out = replayOutcome(sum)
	}
	fmt.Fprintf(d.stderr, "chaoslab shrink-faults: replay %d: windows [%s] try %d: %s (%s, %.0fs)\n",
		d.n, windowList(keep), try+1, out, sum.Outcome, time.Since(start).Seconds())
	return out, err
}

// replayOutcome is what a replay showed. The failure sought is the one
// the scenario is about: for a scenario broken on purpose, that the lab
// caught it (the run is as expected); for any other, a violation (exit 1
// of chaoslab run). A run whose verdict is in doubt (unknown, too few
// faults took effect, a claim not shown) is Unknown, never a pass.
func replayOutcome(sum *report.Summary) faultshrink.Outcome {
	code := verdictExit(sum)
	if sum.Expect.MustFail() {
		switch {
		case sum.AsExpected:
			return faultshrink.Failed
		case code == exitOK:
			return faultshrink.Passed
		}
		return faultshrink.Unknown
	}
	switch code {
	case exitNotLinear:
		return faultshrink.Failed
	case exitOK:
		return faultshrink.Passed
	}
	return faultshrink.Unknown
}

func windowList(keep []int) string {
	parts := make([]string, len(keep))
	for i, k := range keep {
		parts[i] = strconv.Itoa(k)
	}
	return strings.Join(parts, ",")
}

func runShrinkFaults(ctx context.Context, e *env, args []string) int {
	f, err := parseShrinkFaultsFlags(args)
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab shrink-faults: %v\n\n%s", err, commands["shrink-faults"].usage)
		return exitUsage
	}
	s, seed, err := loadRunScenario(f.dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab shrink-faults: %v\n", err)
		return exitUnreadable
	}
	if f.bug != "" && f.bug != s.Bug {
		s = scenarios.ArmBug(s, f.bug)
	}
	plan := s.Schedule().Plan(seed)
	if len(plan) == 0 {
		fmt.Fprintf(e.stderr, "chaoslab shrink-faults: %s (seed %d) has no fault windows: nothing to shrink\n", s.Name, seed)
		return exitUnreadable
	}
	var sys system.System
	if sys, err = systems.Lookup(systems.Default, systems.Source{NodeSrc: f.nodeSrc, Image: f.image}); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab shrink-faults: %v\n", err)
		return exitUsage
	}
	if err := cluster.CheckDocker(ctx); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab shrink-faults: %v\n", err)
		return exitFailure
	}
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelInfo
	}
	if err := os.MkdirAll(f.replayDir, 0o755); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab shrink-faults: %v\n", err)
		return exitFailure
	}
	rep := &dockerReplayer{
		s: s, seed: seed, plan: plan, dir: f.replayDir, stderr: e.stderr,
		opts: scenarios.Options{
			Logger:       slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})),
			CheckTimeout: f.checkTimeout,
			System:       sys,
		},
	}
	armed := ""
	if s.Bug != "" {
		armed = ", planted bug " + s.Bug
	}
	fmt.Fprintf(e.stderr, "chaoslab shrink-faults: %s%s, seed %d: %d fault windows; %d replays per candidate, budget %d\n",
		s.Name, armed, seed, len(plan), f.replays, f.budget)
	began := time.Now()
	res, err := faultshrink.Shrink(ctx, len(plan), rep, faultshrink.Options{
		Replays: f.replays, Budget: f.budget,
		OnTrial: func(t faultshrink.Trial) {
			fmt.Fprintf(e.stderr, "chaoslab shrink-faults: windows [%s]: %d of %d replays failed: %s\n",
				windowList(t.Keep), t.Failures, t.Replays, map[bool]string{true: "needed set still fails", false: "does not fail"}[t.Fails])
		},
	})
	if res != nil {
		if werr := writeShrinkLog(filepath.Join(f.replayDir, "shrink.json"), res); werr != nil {
			fmt.Fprintf(e.stderr, "chaoslab shrink-faults: %v\n", werr)
		}
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(e.stderr, "chaoslab shrink-faults: interrupted\n")
		return exitInterrupted
	case errors.Is(err, faultshrink.ErrNotReproduced):
		fmt.Fprintf(e.stderr, "chaoslab shrink-faults: %v (%d replays); nothing written\n", err, res.Replays)
		if slices.ContainsFunc(res.Trials, func(t faultshrink.Trial) bool { return len(t.Errors) == t.Replays }) {
			return exitFailure // no replay could be carried out
		}
		return exitNotLinear
	case err != nil:
		fmt.Fprintf(e.stderr, "chaoslab shrink-faults: %v\n", err)
		return exitFailure
	}
	small := subSchedule(s, plan, res.Kept)
	file := scenarios.NewFile(small, seed, small.Steps, res.Kept)
	file.Note = fmt.Sprintf("shrunk by chaoslab shrink-faults from %s: %d of %d fault windows; %d replays", f.dir, len(res.Kept), len(plan), res.Replays)
	if err := scenarios.WriteFile(f.out, file); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab shrink-faults: %v\n", err)
		return exitFailure
	}
	var faults []string
	for _, st := range small.Steps {
		faults = append(faults, fmt.Sprintf("%s @%s for %s", s.Nemeses[st.Nemesis].Name(), st.At, st.Length))
	}
	fmt.Fprintf(e.stdout, "%s, seed %d: %d of %d fault windows needed (%s): %s\n", s.Name, seed, len(res.Kept), len(plan),
		windowList(res.Kept), strings.Join(faults, "; "))
	fmt.Fprintf(e.stdout, "  %d replays in %.0fs; wrote %s (replay: chaoslab run --scenario-file %s)\n",
		res.Replays, time.Since(began).Seconds(), f.out, f.out)
	switch res.NoFaults {
	case "does-not-fail":
		fmt.Fprintf(e.stdout, "  without any fault window the run did not fail (most replays passed or were unknown): the kept windows are needed\n")
	case "fails":
		fmt.Fprintf(e.stdout, "  the run fails without any fault window: the failure needs no fault\n")
	}
	if res.StoppedEarly {
		fmt.Fprintf(e.stdout, "  the budget ran out: a smaller schedule may exist\n")
		return exitUnknown
	}
	return exitOK
}

func writeShrinkLog(path string, res *faultshrink.Result) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
