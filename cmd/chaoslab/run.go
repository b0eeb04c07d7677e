package main

import (
	"cmp"
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

	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/readcheck"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/systems"
)

// exitInterrupted is the exit code after SIGINT or SIGTERM (128+2).
const exitInterrupted = 130

func init() {
	register(&command{
		name:    "run",
		summary: "run a chaos scenario against a fresh Docker cluster and print the verdict",
		usage: `usage: chaoslab run [--scenario NAME | --scenario-file FILE] [--duration D] [--seed N] [--nodes N]
                    [--clients N] [--keys N] [--ops-per-key N] [--think D]
                    [--out DIR] [--check-timeout D] [--json] [--verbose]
                    [--system raftkv|etcd] [--node-src DIR | --image REF]
                    [--reach auto|container|published]

Starts a cluster of raftkv containers, runs the scenario's clients and fault
schedule for the duration, heals, reads every key back from every node,
checks the history for linearizability and the replicas for convergence, and
writes the artifacts (history.jsonl, summary.json, report.html, history.html,
run.log, logs/) to one folder. Needs a Docker engine; builds the node image
from this source tree on first use. 'chaoslab list' shows the scenarios.

  --scenario NAME     scenario to run (default kill-leader)
  --scenario-file F   run a scenario file (JSON, docs/DESIGN.md): a scenario by name
                      with its seed, settings and an explicit fault schedule (the
                      windows as data, e.g. written by 'chaoslab shrink-faults');
                      exactly those windows are injected; --seed and the settings
                      flags still override, except --duration
  --duration D        workload and fault schedule duration (default: the scenario's)
  --seed N            seed of the faults and operations (default: from the clock;
                      the same seed replays the same schedule and operations)
  --nodes N           cluster size, 1..7 (default: the scenario's, 3)
  --clients N         workload clients, bound to nodes round-robin (default: the scenario's)
  --keys N            live keys (default: the scenario's)
  --ops-per-key N     rotate keys: after about N operations a key is retired and
                      clients move to fresh keys, so long runs stay checkable
                      (default: the scenario's; 0 = never rotate)
  --think D           mean pause between a client's operations: the rate knob
                      (default: the scenario's)
  --out DIR           artifact folder (default results/<scenario>-<timestamp>)
  --check-timeout D   linearizability checker budget per key (default 20s)
  --json              print summary.json to stdout instead of the text verdict
  --verbose           log the cluster's and the nemeses' progress to stderr
  --system NAME       the system under test: raftkv (this tree's store, the default)
                      or etcd (v3.6, built from system/etcd/server into a scratch
                      image); a scenario that needs what the system lacks (e.g.
                      raftkv's failpoints on etcd) does not run and exits 6
  --node-src DIR      test the store of another checkout (e.g. a branch under review):
                      build DIR's cmd/raftkv instead of this tree's; the lab itself
                      (workload, faults, checker, netfault) stays this tree's
  --image REF         test a ready image: any store that serves the node HTTP API and
                      accepts raftkv's flags (docs/DESIGN.md); nothing is pulled
  --reach MODE        how clients reach the nodes: container (their address on the
                      cluster network: a request to a killed node is refused, a
                      definite fail), published (Docker's port proxy: it ends in EOF,
                      unknown), auto (container when this host can route to it,
                      published for a DOCKER_HOST on another machine; the
                      default); the summary records the one used

Exit codes: 0 linearizable and the replicas converged, 1 not linearizable (or
replicas read disagreed), 2 unknown (the checker's budget ran out, or some
key could not be read on every node after healing, or the run did not do
what the scenario claims, e.g. no snapshot was installed, or fewer of its
faults took effect than it needs), 4 usage
error, 5 the run could not be carried out (no Docker, cluster never ready),
6 not applicable (the scenario needs a capability the system lacks; nothing ran),
130 interrupted (the cluster is removed; the partial history is kept).
Scenarios that are broken on purpose exit 1 when the lab catches them.
`,
		run: runRun,
	})
}

// runFlags are the parsed flags of chaoslab run.
type runFlags struct {
	scenario     scenarios.Scenario
	seed         uint64
	out          string
	checkTimeout time.Duration
	json         bool
	verbose      bool
	// nodeSrc and image choose the system under test (at most one).
	nodeSrc, image string
	reach          cluster.Reach
	system         system.System
}

// parseRunFlags parses run's arguments into a scenario with the overrides
// applied.
func parseRunFlags(args []string) (*runFlags, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("scenario", "kill-leader", "")
	scenarioFile := fs.String("scenario-file", "", "")
	duration := fs.Duration("duration", 0, "")
	seed := fs.String("seed", "", "")
	nodes := fs.Int("nodes", 0, "")
	clients := fs.Int("clients", 0, "")
	keys := fs.Int("keys", 0, "")
	opsPerKey := fs.Int("ops-per-key", -1, "")
	think := fs.Duration("think", -1, "")
	out := fs.String("out", "", "")
	checkTimeout := fs.Duration("check-timeout", 20*time.Second, "")
	asJSON := fs.Bool("json", false, "")
	verbose := fs.Bool("verbose", false, "")
	nodeSrc := fs.String("node-src", "", "")
	image := fs.String("image", "", "")
	reach := fs.String("reach", "auto", "")
	sysName := fs.String("system", systems.Default, "")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("unexpected argument %q", pos[0])
	}
	var (
		s        scenarios.Scenario
		fileSeed uint64
	)
	if *scenarioFile != "" {
		set := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		if set["scenario"] || set["duration"] {
			return nil, errors.New("--scenario-file: the file names the scenario and its duration; drop --scenario and --duration")
		}
		if s, fileSeed, err = scenarios.LoadFile(*scenarioFile); err != nil {
			return nil, fmt.Errorf("--scenario-file: %w", err)
		}
	} else {
		var ok bool
		if s, ok = scenarios.Lookup(*name); !ok {
			return nil, fmt.Errorf("unknown scenario %q (known: %s)", *name, strings.Join(scenarios.Names(), ", "))
		}
	}
	f := &runFlags{seed: fileSeed, out: *out, checkTimeout: *checkTimeout, json: *asJSON, verbose: *verbose, nodeSrc: *nodeSrc, image: *image}
	if f.reach, err = cluster.ParseReach(*reach); err != nil {
		return nil, fmt.Errorf("--reach: %w", err)
	}
	if f.system, err = systems.Lookup(*sysName, systems.Source{NodeSrc: f.nodeSrc, Image: f.image}); err != nil {
		return nil, fmt.Errorf("--system: %w", err)
	}
	if f.nodeSrc != "" {
		if err := cluster.CheckNodeSrc(f.nodeSrc); err != nil {
			return nil, fmt.Errorf("--node-src: %w", err)
		}
	}
	if *seed != "" {
		if f.seed, err = strconv.ParseUint(*seed, 10, 64); err != nil || f.seed == 0 {
			return nil, fmt.Errorf("--seed %q: want a positive integer", *seed)
		}
	}
	if *duration < 0 || (*duration > 0 && *duration < time.Second) {
		return nil, errors.New("--duration must be at least 1s")
	}
	if *duration > 0 {
		s.Duration = *duration
	}
	if *nodes != 0 {
		s.Nodes = *nodes
	}
	if *clients != 0 {
		s.Clients = *clients
	}
	if *keys < 0 {
		return nil, fmt.Errorf("--keys %d: want a positive number", *keys)
	}
	if *keys > 0 {
		s.Keys = *keys
	}
	if *opsPerKey < -1 {
		return nil, fmt.Errorf("--ops-per-key %d: want 0 (no rotation) or a positive number", *opsPerKey)
	}
	if *opsPerKey >= 0 {
		s.OpsPerKey = *opsPerKey
	}
	if *think < -1 {
		return nil, fmt.Errorf("--think %s: must not be negative", *think)
	}
	if *think >= 0 {
		s.Think = *think
	}
	if *checkTimeout <= 0 {
		return nil, errors.New("--check-timeout must be positive")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	f.scenario = s
	return f, nil
}

func runRun(ctx context.Context, e *env, args []string) int {
	f, err := parseRunFlags(args)
	if err != nil {
		fmt.Fprintf(e.stderr, "chaoslab run: %v\n\n%s", err, commands["run"].usage)
		return exitUsage
	}
	if ok, why := scenarios.Applicable(f.scenario, f.system); !ok {
		fmt.Fprintf(e.stderr, "chaoslab run: scenario %s is not applicable to %s (nothing ran): %s\n", f.scenario.Name, f.system.Name(), why)
		return exitNotApplicable
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A second signal while the run cleans up: remove everything now.
	go func() {
		<-ctx.Done()
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		<-ch
		fmt.Fprintln(e.stderr, "\nchaoslab run: second interrupt; removing this run's containers and exiting")
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_ = cluster.SweepOwn(sctx)
		cancel()
		os.Exit(exitInterrupted)
	}()

	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	if err := cluster.CheckDocker(ctx); err != nil {
		fmt.Fprintf(e.stderr, "chaoslab run: %v\n", err)
		return exitFailure
	}
	if err := cluster.Sweep(ctx); err != nil {
		logger.Warn("sweep of earlier runs' leftovers", "err", err)
	}
	s := f.scenario
	if f.seed == 0 {
		f.seed = uint64(time.Now().UnixNano())&(1<<53-1) | 1 // exact in JSON numbers
	}
	fmt.Fprintf(e.stderr, "chaoslab run: system %s, scenario %s, seed %d, %d nodes, %d clients, %s, reads %s, expect %s\n",
		f.system.Name(), s.Name, f.seed, s.Nodes, s.Clients, s.Duration, s.ReadMix(), s.Expect)
	switch {
	case f.nodeSrc != "":
		fmt.Fprintf(e.stderr, "chaoslab run: the store under test is built from %s\n", f.nodeSrc)
	case f.image != "":
		fmt.Fprintf(e.stderr, "chaoslab run: the store under test is the image %s\n", f.image)
	}
	sum, err := scenarios.Run(ctx, s, scenarios.Options{
		Seed:         f.seed,
		Out:          f.out,
		Logger:       logger,
		Progress:     e.stderr,
		ProgressTTY:  e.stderrTTY,
		CheckTimeout: f.checkTimeout,
		System:       f.system,
		Reach:        f.reach,
	})
	if sum == nil {
		fmt.Fprintf(e.stderr, "chaoslab run: %v\n", err)
		if ctx.Err() != nil {
			return exitInterrupted
		}
		return exitFailure
	}
	if s.Steps != nil {
		// The explicit schedule travels with the run: shrink-faults and a
		// reader replay these windows, not the seed's plan.
		if werr := scenarios.WriteFile(filepath.Join(sum.Artifacts.Dir, scenarioCopy), scenarios.NewFile(s, f.seed, s.Steps, nil)); werr != nil {
			fmt.Fprintf(e.stderr, "chaoslab run: %v\n", werr)
		}
	}
	if f.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(sum)
	} else {
		printSummary(e.stdout, sum)
	}
	switch {
	case sum.Interrupted:
		fmt.Fprintf(e.stderr, "chaoslab run: interrupted; partial history in %s\n", sum.Artifacts.Dir)
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(e.stderr, "chaoslab run: %v\n", err)
		return exitFailure
	}
	return verdictExit(sum)
}

// verdictExit maps a run's outcome to chaoslab's exit codes. Replicas
// that were read and disagree are a failure (1); keys that could not be
// read on every node leave convergence unknown (2).
func verdictExit(sum *report.Summary) int {
	// Every read by its own level's contract (a summary written before
	// contracts: its linearizability verdict); stale reads that are not
	// linearizable but keep the stale contract are no failure.
	switch contract := sum.ReadContract(); {
	case contract == readcheck.Violated, sum.Diverged():
		return exitNotLinear
	case contract == readcheck.Unknown, len(sum.Convergence.NotRead) > 0:
		return exitUnknown
	case !sum.Converged:
		return exitNotLinear
	}
	if fe := sum.FaultEffect; fe != nil && !fe.OK {
		// Linearizable, but too few faults took hold: the run tested a
		// healthy cluster, and the verdict does not cover the scenario.
		return exitUnknown
	}
	for _, c := range sum.Claims {
		if !c.OK {
			// Linearizable, but the run did not exercise what the scenario
			// claims (no snapshot installed, no membership change): the
			// verdict does not cover it.
			return exitUnknown
		}
	}
	return exitOK
}

// secsOrDash is "1.23s", or "—" when there is no figure.
func secsOrDash(p *float64) string {
	if p == nil {
		return "—"
	}
	return fmt.Sprintf("%.2fs", *p)
}

func printSummary(w io.Writer, s *report.Summary) {
	fmt.Fprintf(w, "scenario %s, seed %d: %s\n", s.Scenario, s.Seed, s.Outcome)
	fmt.Fprintf(w, "  workload: %.1fs, %d ops (%d ok, %d cas mismatch, %d fail, %d info)\n",
		s.Timings.Workload, s.Counts.Ops, s.Counts.OK, s.Counts.Mismatch, s.Counts.Fail, s.Counts.Info)
	for _, k := range []string{report.PhaseQuiet, report.PhaseFault} {
		if st, ok := s.Phases[k]; ok {
			fmt.Fprintf(w, "  %-5s %5.1fs: %6.0f ok/s, %5.1f%% available, %d fail, %d info, p50 %.1f ms, p99 %.1f ms\n",
				k, st.Seconds, st.OKPerSec, 100*st.Availability, st.Fail, st.Info, st.P50ms, st.P99ms)
		}
	}
	var faults []string
	for _, fw := range s.Faults {
		if fw.Fault != nil {
			faults = append(faults, fmt.Sprintf("%s @%.1fs", fw.Fault, float64(fw.Start)/1e9))
		} else {
			faults = append(faults, fmt.Sprintf("%s failed: %s", fw.Nemesis, fw.Error))
		}
	}
	if len(faults) > 0 {
		fmt.Fprintf(w, "  faults: %s\n", strings.Join(faults, "; "))
	}
	if len(s.ByFaultKind) > 0 {
		var kinds []string
		for _, k := range s.ByFaultKind {
			kinds = append(kinds, fmt.Sprintf("%s %d in %d windows (%.1f per window)", k.Kind, k.Info, k.Windows, k.InfoPerWindow))
		}
		fmt.Fprintf(w, "  unknown (info) per fault kind, nodes reached at %s: %s\n", cmp.Or(s.Reach, "?"), strings.Join(kinds, "; "))
	}
	if fe := s.FaultEffect; fe != nil {
		fmt.Fprintf(w, "  faults that took effect: %s\n", fe.Detail)
	}
	if len(s.Recovery) > 0 {
		var rs []string
		for _, r := range s.Recovery {
			rs = append(rs, fmt.Sprintf("%s: first ack write %s, full strength %s, %.1f elections per window",
				r.Kind, secsOrDash(r.FirstAckMedian), secsOrDash(r.FullStrengthMedian), r.ElectionsPerWindow))
		}
		fmt.Fprintf(w, "  recovery (medians): %s\n", strings.Join(rs, "; "))
	}
	if c := s.Convergence; len(c.Diverged)+len(c.NotRead) > 0 {
		fmt.Fprintf(w, "  convergence: %d keys diverged, %d keys not read on every node (after %.1fs)\n", len(c.Diverged), len(c.NotRead), c.Waited)
	}
	for _, l := range s.Levels {
		fmt.Fprintf(w, "  %-12s %d reads, contract %s, %s\n", l.Level, l.Reads, l.Contract, cmp.Or(string(l.Linearizable), "not checked"))
	}
	for i, a := range s.Anomalies {
		if i == 5 {
			fmt.Fprintf(w, "  … and %d more anomalies (summary.json)\n", s.AnomaliesTotal-5)
			break
		}
		fmt.Fprintf(w, "  %s: key %q, node %s: %s\n", a.Kind, a.Key, cmp.Or(a.Node, "?"), a.Text)
	}
	// Porcupine's explanations, when linearizability is the verdict (no
	// contracts judged, or the linearizable reads failed).
	if s.Contract == "" || s.ReadContract() == readcheck.Violated && s.AnomaliesTotal == 0 || s.Expect == report.ExpectViolation {
		for _, ex := range s.Explanations {
			fmt.Fprintf(w, "\n%s", indent(ex, "  "))
		}
	}
	for _, e := range s.Errors {
		fmt.Fprintf(w, "  problem: %s\n", e)
	}
	fmt.Fprintf(w, "  times: cluster start %.1fs, recovery %.1fs, final reads %.1fs, convergence %.1fs, check %.1fs, total %.1fs\n",
		s.Timings.ClusterStart, s.Timings.Recovery, s.Timings.FinalReads, s.Timings.Convergence, s.Timings.Check, s.Timings.Total)
	fmt.Fprintf(w, "  report: %s/%s\n", s.Artifacts.Dir, s.Artifacts.Report)
}
