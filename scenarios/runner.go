package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/system"
)

// Options tune a run; the zero value is ready to use.
type Options struct {
	// Seed drives the fault schedule and every client's operations; 0 picks
	// one from the clock (the summary records it).
	Seed uint64
	// Out is the run's artifact folder (default results/<scenario>-<time>).
	// It is created; files in it are overwritten.
	Out string
	// Logger receives progress messages of the run, the cluster and the
	// nemeses, in addition to run.log in Out (which gets Info and above).
	Logger *slog.Logger
	// Progress, if set, receives a live status line: updated in place
	// every 250 ms when ProgressTTY, else one line every 5 s.
	Progress    io.Writer
	ProgressTTY bool
	// CheckTimeout is the linearizability checker's budget per key
	// (default 20 s).
	CheckTimeout time.Duration
	// RecoveryTimeout bounds the wait for a ready cluster after healing,
	// the final reads and the convergence check, each (default 60 s).
	RecoveryTimeout time.Duration
	// System is the system under test (default: raftkv, see
	// system.Raftkv). A scenario that needs a capability the system lacks
	// is not applicable: Run returns a *NotApplicableError.
	System system.System
	// For the default system (raftkv): by default the node is built from
	// this source tree; NodeSrc builds it from another checkout, Image runs
	// a ready image. At most one may be set.
	NodeSrc string
	Image   string
	// Reach is how the clients reach the nodes (cluster.Options.Reach;
	// default auto). The summary records the one used.
	Reach cluster.Reach
}

// Run runs scenario s against a fresh Docker cluster, following DESIGN.md
// ("A scenario run"):
//
//  1. start the cluster (nodes logs go to Out/logs);
//  2. start the clients, each bound to one node;
//  3. run the fault schedule for s.Duration, then stop the clients (calls in
//     flight complete or time out);
//  4. heal everything and wait until the cluster is ready again;
//  5. read every key from every node with linearizable reads, recorded in
//     the history (so an acknowledged write that was lost is a violation);
//  6. poll stale reads of every key on every node until they agree
//     (convergence) or the deadline passes;
//  7. close the cluster (always, also on error, panic or interrupt);
//  8. check the history key by key, compute availability and latency per
//     phase, and write history.jsonl, summary.json, report.html and
//     history.html to Out.
//
// The verdict is in the Summary, not in the error: Run returns an error only
// when the run itself could not be carried out (no Docker, a cluster that
// never became ready, an artifact that could not be written). When ctx is
// cancelled, the run stops early, heals, closes the cluster and writes the
// partial history unchecked; the Summary says Interrupted and the error is
// ctx's.
func Run(ctx context.Context, s Scenario, o Options) (*report.Summary, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if o.System == nil {
		o.System = system.Raftkv{NodeSrc: o.NodeSrc, Image: o.Image}
	}
	// The summary names the tree the store was built from, however the
	// caller chose it (Options or the system value).
	if rk, ok := o.System.(system.Raftkv); ok && o.NodeSrc == "" {
		o.NodeSrc = rk.NodeSrc
	}
	if why := system.NotApplicable(o.System, Needs(s)); why != "" {
		return nil, &NotApplicableError{Scenario: s.Name, System: o.System.Name(), Reason: why}
	}
	begin := time.Now()
	if o.Seed == 0 {
		o.Seed = uint64(begin.UnixNano())&(1<<53-1) | 1
	}
	if o.Out == "" {
		o.Out = filepath.Join("results", s.Name+"-"+begin.Format("20060102-150405"))
	}
	if o.CheckTimeout <= 0 {
		o.CheckTimeout = 20 * time.Second
	}
	if o.RecoveryTimeout <= 0 {
		o.RecoveryTimeout = 60 * time.Second
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	logFile, err := os.Create(filepath.Join(o.Out, report.RunLogFile))
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	defer logFile.Close()
	var handlers []slog.Handler
	handlers = append(handlers, slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if o.Logger != nil {
		handlers = append(handlers, o.Logger.Handler())
	}
	log := slog.New(slog.NewMultiHandler(handlers...)).With("scenario", s.Name)

	r := &run{s: s, o: o, log: log, begin: begin}
	r.info = report.Run{
		Scenario: report.Scenario{
			Name: s.Name, Description: s.Description, Expect: s.Expect,
			Nodes: s.Nodes, Clients: s.Clients, Keys: s.Keys, OpsPerKey: s.OpsPerKey, ReadLevel: s.ReadMix(),
			Nemeses: []string{}, Duration: s.Duration.Seconds(), FaultWindow: s.Fault.Seconds(), QuietWindow: s.Quiet.Seconds(),
			NodeSrc: o.NodeSrc, Proves: s.Proves, NeedFaults: s.NeedFaults, System: o.System.Name(),
		},
		Seed: o.Seed, Started: begin, CheckTimeout: o.CheckTimeout.Seconds(),
	}
	for _, n := range s.Nemeses {
		r.info.Scenario.Nemeses = append(r.info.Scenario.Nemeses, n.Name())
	}
	log.Info("run: starting", "seed", o.Seed, "out", o.Out)
	r.prog = startProgress(o.Progress, o.ProgressTTY, s, &r.cnt)
	defer r.prog.stop()
	return r.execute(ctx)
}

// run is the state of one scenario run. What the report needs is collected
// in info, as plain values; the report package does the rest.
type run struct {
	s     Scenario
	o     Options
	log   *slog.Logger
	begin time.Time
	prog  *progress
	cnt   counters

	c    system.Cluster
	rec  *linearizability.Recorder
	info report.Run
	// snaps sums the nodes' snapshot counters over the run (snaptally.go).
	snaps *snapTally
}

func (r *run) problem(what string, err error) {
	r.info.Errors = append(r.info.Errors, what+": "+err.Error())
}

func (r *run) execute(ctx context.Context) (*report.Summary, error) {
	s, o, tm := r.s, r.o, &r.info.Timings
	r.prog.setStage("starting cluster")
	t0 := time.Now()
	c, err := o.System.Start(ctx, system.Config{
		Nodes:        s.Nodes,
		LogDir:       filepath.Join(o.Out, report.LogsDir),
		Logger:       r.log,
		Reach:        o.Reach,
		ApplyTimeout: time.Second,
		Node:         s.Node,
		Failpoints:   s.Failpoints,
	})
	tm.ClusterStart = secs(time.Since(t0))
	if err != nil {
		return nil, fmt.Errorf("scenarios: %s: %w", s.Name, err)
	}
	r.c = c
	r.snaps = newSnapTally()
	r.info.Scenario.NodeImage = c.Image()
	r.info.Reach = string(c.Reach())
	closed := false
	closeCluster := func() {
		if closed {
			return
		}
		closed = true
		r.prog.setStage("closing cluster")
		t := time.Now()
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if err := c.Close(cctx); err != nil {
			r.problem("close cluster", err)
			r.log.Error("run: close cluster", "err", err)
		}
		tm.ClusterClose = secs(time.Since(t))
	}
	defer closeCluster() // also on panic

	interrupted, runErr := r.workload(ctx)
	if !interrupted {
		r.recover(ctx)
	} else {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		_ = chaos.HealAll(hctx, c)
		cancel()
	}
	closeCluster()

	r.info.Interrupted = interrupted
	sum, err := r.finish(ctx)
	if err != nil {
		return sum, err
	}
	r.log.Info("run: done", "outcome", sum.Outcome, "out", o.Out)
	if interrupted {
		return sum, errors.Join(context.Cause(ctx), runErr)
	}
	return sum, nil
}

// workload runs the clients and the fault schedule for the scenario's
// duration. It reports whether ctx ended first.
func (r *run) workload(ctx context.Context) (interrupted bool, err error) {
	s, c := r.s, r.c
	nodes := c.NodeIDs()
	r.rec = linearizability.NewRecorder()
	wctx, abort := context.WithCancel(ctx)
	defer abort()

	var workers []*worker
	for i := range s.Clients {
		id := nodes[i%len(nodes)]
		kvc, err := c.Client(wctx, id, s.ClientTimeout)
		if err != nil {
			return ctx.Err() != nil, fmt.Errorf("client for %s: %w", id, err)
		}
		gen := newGenerator(r.o.Seed, i, s.keySpace(), s.Mix, s.Think)
		workers = append(workers, newWorker(gen, kvc, r.rec.NewClient(id), s.LevelOf(i), &r.cnt))
	}

	r.prog.setStage("running")
	r.prog.startClock()
	t0 := time.Now()
	r.info.WorkStart = r.rec.Now()
	stop := make(chan struct{})
	var (
		wg       sync.WaitGroup
		panicMu  sync.Mutex
		panicErr error
	)
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					panicMu.Lock()
					panicErr = fmt.Errorf("workload client panicked: %v\n%s", p, debug.Stack())
					panicMu.Unlock()
					abort()
				}
			}()
			w.run(wctx, stop)
		}()
	}
	// Sample the nodes' snapshot counters during the workload: after each
	// fault event and every samplePeriod (they reset when a process restarts).
	kick := make(chan struct{}, 1)
	pctx, stopPoll := context.WithCancel(wctx)
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		r.snaps.poll(pctx, c, kick)
	}()
	windows, serr := s.Schedule().Run(wctx, c, kickRecorder{Recorder: r.rec, tally: r.snaps, kick: kick}, chaos.RunOptions{
		Seed:     r.o.Seed,
		Logger:   r.log,
		OnChange: r.prog.setFault,
	})
	close(stop)
	wg.Wait()
	stopPoll()
	<-polled
	r.info.WorkEnd = r.rec.Now()
	// The schedule's windows are what run.json records (fault.Window);
	// none is [] there, never null.
	r.info.Faults = append([]report.FaultWindow{}, windows...)
	r.info.Timings.Workload = secs(time.Since(t0))
	r.prog.setFault("")
	if panicErr != nil {
		panic(panicErr) // the deferred Close removes the cluster on the way out
	}
	if ctx.Err() != nil {
		return true, nil
	}
	if serr != nil {
		r.problem("schedule", serr)
	}
	return false, nil
}

// recover heals everything, waits for a ready cluster, then does the final
// reads, the convergence check and asks every node for its figures.
func (r *run) recover(ctx context.Context) {
	c, tm := r.c, &r.info.Timings
	r.prog.setStage("healing")
	t := time.Now()
	rctx, cancel := context.WithTimeout(ctx, r.o.RecoveryTimeout)
	if err := chaos.HealAll(rctx, c); err != nil {
		r.problem("heal", err)
	}
	if err := c.WaitReady(rctx); err != nil {
		r.problem("cluster not ready after healing", err)
	}
	cancel()
	tm.Recovery = secs(time.Since(t))

	r.prog.setStage("final reads")
	t = time.Now()
	final := r.finalReads(ctx)
	tm.FinalReads = secs(time.Since(t))

	r.prog.setStage("convergence")
	t = time.Now()
	r.info.Convergence = r.converge(ctx, final)
	tm.Convergence = secs(time.Since(t))
	r.info.Nodes = r.nodeFigures(ctx)
}

// finalReads reads every key from every node with linearizable reads,
// recorded in the history, retrying a read that failed until one succeeds
// or the recovery deadline passes. It returns each key's value as read.
func (r *run) finalReads(ctx context.Context) map[string]*string {
	ctx, cancel := context.WithTimeout(ctx, r.o.RecoveryTimeout)
	defer cancel()
	keys := usedKeys(keyNames(r.s.Keys), r.rec.Events())
	final := map[string]*string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, id := range r.c.NodeIDs() {
		kvc, err := r.c.Client(ctx, id, 3*time.Second)
		if err != nil {
			r.problem("final reads", err)
			continue
		}
		rc := r.rec.NewClient(id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, k := range keys {
				for attempt := 0; ctx.Err() == nil; attempt++ {
					if attempt > 0 {
						waitBackoff(ctx, attempt)
					}
					call := rc.Get(k)
					res := kvc.Get(ctx, k, api.ReadLinearizable)
					if res.Outcome == api.OK {
						call.OkAt(res.Value, linearizability.Evidence{Index: res.Index, Incarnation: res.Incarnation})
						mu.Lock()
						final[k] = res.Value
						mu.Unlock()
						break
					}
					if res.Outcome == api.Fail {
						call.Fail(reason(res))
					} else {
						call.Info(reason(res))
					}
				}
			}
		}()
	}
	wg.Wait()
	return final
}

// converge polls stale reads on every node until every key has been read
// on every node and agrees (with the other nodes and the final
// linearizable read), or the deadline passes. Keys that agreed are not read
// again: no one writes after the workload, so agreement is final. These
// reads are not part of the history.
func (r *run) converge(ctx context.Context, final map[string]*string) report.Convergence {
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(ctx, r.o.RecoveryTimeout/2)
	defer cancel()
	nodes := r.c.NodeIDs()
	ids := make([]string, len(nodes))
	clients := make([]api.KV, len(nodes))
	for i, id := range nodes {
		ids[i] = id
		if kvc, err := r.c.Client(ctx, id, 2*time.Second); err == nil {
			clients[i] = kvc // a node without a client is never read: its keys stay "not read"
		}
	}
	// One round reads the pending keys on all nodes at once (a goroutine per
	// node), then compares what was read.
	readRound := func(keys []string) replicaRead {
		got := make([]map[string]*string, len(nodes))
		var wg sync.WaitGroup
		for i := range nodes {
			got[i] = map[string]*string{}
			if clients[i] == nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, k := range keys {
					if ctx.Err() != nil {
						return
					}
					if res := clients[i].Get(ctx, k, api.ReadStale); res.Outcome == api.OK {
						got[i][k] = res.Value
					}
				}
			}()
		}
		wg.Wait()
		return func(i int, k string) (*string, bool) {
			v, ok := got[i][k]
			return v, ok
		}
	}
	conv := report.Convergence{Final: final, Values: map[string]map[string]*string{}}
	late := unknownWrites(r.rec.Events())
	pending := usedKeys(keyNames(r.s.Keys), r.rec.Events())
	for attempt := 0; ; attempt++ {
		c := compareReplicas(pending, ids, final, late, readRound(pending))
		for k, v := range c.values {
			conv.Values[k] = v // the last round's reads: a node missing was not read in it
		}
		conv.Diverged, conv.NotRead = c.diverged, c.notRead
		pending = append(append([]string{}, c.diverged...), c.notRead...)
		if len(pending) == 0 {
			conv.Converged = true
			break
		}
		if !waitBackoff(ctx, attempt+1) {
			break
		}
	}
	conv.Waited = secs(time.Since(t0))
	return conv
}

// nodeFigures asks every node for its raft figures at the end of the run.
func (r *run) nodeFigures(ctx context.Context) []report.NodeFigures {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var figs []report.NodeFigures
	for _, id := range r.c.NodeIDs() {
		nf := report.NodeFigures{ID: id}
		era := r.snaps.era(id)
		st, err := func() (api.Status, error) {
			sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			st, err := r.c.NodeStatus(sctx, id)
			if err != nil {
				return api.Status{}, err
			}
			return *st, nil
		}()
		if err != nil {
			nf.Error = err.Error()
		} else {
			nf.State, nf.Term, nf.CommitIndex, nf.AppliedIndex, nf.LastIndex = st.State, st.Term, st.CommitIndex, st.AppliedIndex, st.LastIndex
			r.snaps.observe(id, era, st) // the last sample
		}
		r.snaps.fill(&nf)
		figs = append(figs, nf)
	}
	// Nodes sampled during the run but gone at the end (shrunk, replaced
	// under another id): their counters still count.
	for _, id := range r.snaps.ids() {
		if !slices.Contains(r.c.NodeIDs(), id) {
			nf := report.NodeFigures{ID: id, Error: "not in the cluster at the end"}
			r.snaps.fill(&nf)
			figs = append(figs, nf)
		}
	}
	return figs
}

// waitBackoff waits between retries (50 ms doubling to 500 ms); false when
// ctx ended.
func waitBackoff(ctx context.Context, attempt int) bool {
	d := 50 * time.Millisecond << min(attempt-1, 4)
	d = min(d, 500*time.Millisecond)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// finish checks the history (unless the run was interrupted) and writes the
// run's folder: history.jsonl and run.json (the report's inputs), then the
// files the report package derives from them.
func (r *run) finish(ctx context.Context) (*report.Summary, error) {
	dir := r.o.Out
	events := r.rec.Events()
	r.prog.setStage("writing history")
	if err := report.WriteHistory(dir, events); err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	var res *linearizability.Result
	if !r.info.Interrupted {
		r.prog.setStage("checking")
		t := time.Now()
		var err error
		res, err = linearizability.Check(ctx, events, linearizability.Options{
			PerKeyTimeout: r.o.CheckTimeout,
			Progress:      func(done, total int) { r.prog.setStage(fmt.Sprintf("checking %d/%d keys", done, total)) },
		})
		r.info.Timings.Check = secs(time.Since(t))
		if err != nil {
			return nil, fmt.Errorf("scenarios: check: %w", err) // a bug: the recorder writes valid histories
		}
	}
	ops, err := linearizability.Pair(events)
	if err != nil {
		return nil, fmt.Errorf("scenarios: pair: %w", err)
	}
	r.prog.setStage("writing report")
	r.info.Timings.Total = secs(time.Since(r.begin))
	if err := report.WriteRun(dir, r.info); err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	sum, err := report.Write(dir, report.Input{Run: r.info, Operations: ops}, events, res)
	if err != nil {
		return sum, fmt.Errorf("scenarios: %w", err)
	}
	return sum, nil
}

func secs(d time.Duration) float64 { return math.Round(d.Seconds()*1000) / 1000 }
