package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/node"
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
	// Image is the node image (default: built from the source tree).
	Image string
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
func Run(ctx context.Context, s Scenario, o Options) (sum *Summary, err error) {
	if err := s.Validate(); err != nil {
		return nil, err
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
	logFile, err := os.Create(filepath.Join(o.Out, RunLogFile))
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
	r.sum = &Summary{
		Scenario: s.Name, Description: s.Description, Expect: s.Expect, Seed: o.Seed, Started: begin,
		Nodes: s.Nodes, Clients: s.Clients, Keys: s.Keys, ReadLevel: string(s.ReadLevel),
		Duration: s.Duration.Seconds(), FaultWindow: s.Fault.Seconds(), QuietWindow: s.Quiet.Seconds(),
		Artifacts: Artifacts{
			Dir: o.Out, History: HistoryFile, Summary: SummaryFile, Report: ReportFile,
			RunLog: RunLogFile, NodeLogs: LogsDir,
		},
	}
	for _, n := range s.Nemeses {
		r.sum.Nemeses = append(r.sum.Nemeses, n.Name())
	}
	log.Info("run: starting", "seed", o.Seed, "out", o.Out)
	r.prog = startProgress(o.Progress, o.ProgressTTY, s, &r.cnt)
	defer r.prog.stop()
	return r.execute(ctx)
}

// run is the state of one scenario run.
type run struct {
	s     Scenario
	o     Options
	log   *slog.Logger
	begin time.Time
	sum   *Summary
	prog  *progress
	cnt   counters

	c       *cluster.Cluster
	rec     *linearizability.Recorder
	windows []chaos.Window
	result  *linearizability.Result
	ops     []opRecord
	// workStart and workEnd bound the workload on the history clock.
	workStart, workEnd int64
}

func (r *run) execute(ctx context.Context) (*Summary, error) {
	s, o, sum := r.s, r.o, r.sum
	r.prog.setStage("starting cluster")
	t0 := time.Now()
	copts := cluster.Options{
		Nodes:        s.Nodes,
		LogDir:       filepath.Join(o.Out, LogsDir),
		Logger:       r.log,
		ApplyTimeout: time.Second,
		Image:        o.Image,
	}.FastRaft()
	if s.Cluster != nil {
		copts = s.Cluster(copts)
	}
	c, err := cluster.Start(ctx, copts)
	sum.Timings.ClusterStart = secs(time.Since(t0))
	if err != nil {
		return nil, fmt.Errorf("scenarios: %s: %w", s.Name, err)
	}
	r.c = c
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
			sum.Errors = append(sum.Errors, "close cluster: "+err.Error())
			r.log.Error("run: close cluster", "err", err)
		}
		sum.Timings.ClusterClose = secs(time.Since(t))
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

	sum.Interrupted = interrupted
	if err := r.analyse(ctx); err != nil {
		return sum, err
	}
	if err := r.writeArtifacts(); err != nil {
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
	nodes := c.Nodes()
	r.rec = linearizability.NewRecorder()
	wctx, abort := context.WithCancel(ctx)
	defer abort()

	var workers []*worker
	for i := range s.Clients {
		n := nodes[i%len(nodes)]
		kvc, err := n.Client(wctx, node.WithTimeout(s.ClientTimeout))
		if err != nil {
			return ctx.Err() != nil, fmt.Errorf("client for %s: %w", n.ID(), err)
		}
		gen := newGenerator(r.o.Seed, i, keyNames(s.Keys), s.Mix, s.Think)
		workers = append(workers, newWorker(gen, kvc, r.rec.NewClient(n.ID()), s.ReadLevel, &r.cnt))
	}

	r.prog.setStage("running")
	r.prog.startClock()
	t0 := time.Now()
	r.workStart = r.rec.Now()
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
	windows, serr := s.Schedule().Run(wctx, c, r.rec, chaos.RunOptions{
		Seed:     r.o.Seed,
		Logger:   r.log,
		OnChange: r.prog.setFault,
	})
	close(stop)
	wg.Wait()
	r.workEnd = r.rec.Now()
	r.windows = windows
	r.sum.Timings.Workload = secs(time.Since(t0))
	r.prog.setFault("")
	if panicErr != nil {
		panic(panicErr) // the deferred Close removes the cluster on the way out
	}
	if ctx.Err() != nil {
		return true, nil
	}
	if serr != nil {
		r.sum.Errors = append(r.sum.Errors, "schedule: "+serr.Error())
	}
	return false, nil
}

// recover heals everything, waits for a ready cluster, then does the final
// reads and the convergence check.
func (r *run) recover(ctx context.Context) {
	c, sum := r.c, r.sum
	r.prog.setStage("healing")
	t := time.Now()
	rctx, cancel := context.WithTimeout(ctx, r.o.RecoveryTimeout)
	if err := chaos.HealAll(rctx, c); err != nil {
		sum.Errors = append(sum.Errors, "heal: "+err.Error())
	}
	if err := c.WaitReady(rctx); err != nil {
		sum.Errors = append(sum.Errors, "cluster not ready after healing: "+err.Error())
	}
	cancel()
	sum.Timings.Recovery = secs(time.Since(t))

	r.prog.setStage("final reads")
	t = time.Now()
	final := r.finalReads(ctx)
	sum.Timings.FinalReads = secs(time.Since(t))

	r.prog.setStage("convergence")
	t = time.Now()
	sum.Convergence = r.converge(ctx, final)
	sum.Converged = sum.Convergence.Converged
	sum.Timings.Convergence = secs(time.Since(t))
}

// finalReads reads every key from every node with linearizable reads,
// recorded in the history, retrying a read that failed until one succeeds
// or the recovery deadline passes. It returns each key's value as read.
func (r *run) finalReads(ctx context.Context) map[string]*string {
	ctx, cancel := context.WithTimeout(ctx, r.o.RecoveryTimeout)
	defer cancel()
	keys := keyNames(r.s.Keys)
	final := map[string]*string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range r.c.Nodes() {
		kvc, err := n.Client(ctx, node.WithTimeout(3*time.Second))
		if err != nil {
			r.sum.Errors = append(r.sum.Errors, "final reads: "+err.Error())
			continue
		}
		rc := r.rec.NewClient(n.ID())
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, k := range keys {
				for attempt := 0; ctx.Err() == nil; attempt++ {
					if attempt > 0 {
						waitBackoff(ctx, attempt)
					}
					call := rc.Get(k)
					res := kvc.Get(ctx, k, node.ReadLinearizable)
					if res.Outcome == node.OK {
						call.Ok(res.Value)
						mu.Lock()
						final[k] = res.Value
						mu.Unlock()
						break
					}
					if res.Outcome == node.Fail {
						call.Fail(reason(res))
					} else {
						call.Info(reason(res))
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, o := range pairOps(r.rec.Events()) {
		if o.Invoke >= r.workEnd {
			r.sum.FinalReads.add(o)
		}
	}
	return final
}

// converge polls stale reads of every key on every node until all agree
// with each other and with the final linearizable read, or the deadline
// passes. These reads are not part of the history.
func (r *run) converge(ctx context.Context, final map[string]*string) Convergence {
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(ctx, r.o.RecoveryTimeout/2)
	defer cancel()
	keys := keyNames(r.s.Keys)
	var clients []*node.Client
	var ids []string
	for _, n := range r.c.Nodes() {
		kvc, err := n.Client(ctx, node.WithTimeout(2*time.Second))
		if err != nil {
			continue
		}
		clients = append(clients, kvc)
		ids = append(ids, n.ID())
	}
	conv := Convergence{Final: final}
	allNodes := len(clients) == len(r.c.Nodes())
	for attempt := 0; ; attempt++ {
		values, diverged := compareReplicas(keys, ids, final, allNodes, func(i int, k string) (*string, bool) {
			res := clients[i].Get(ctx, k, node.ReadStale)
			return res.Value, res.Outcome == node.OK
		})
		conv.Values, conv.Diverged = values, diverged
		if len(diverged) == 0 {
			conv.Converged = true
			break
		}
		if !waitBackoff(ctx, attempt+1) {
			break
		}
	}
	conv.Waited = secs(time.Since(t0))
	sort.Strings(conv.Diverged)
	return conv
}

// compareReplicas reads every key on every node (read(i, key) for node
// ids[i]) and returns what each node holds and the keys on which replicas
// differ from each other or from the final linearizable read, or could not
// be read (as when not every node has a client: allNodes false).
func compareReplicas(keys, ids []string, final map[string]*string, allNodes bool, read func(i int, key string) (*string, bool)) (map[string]map[string]*string, []string) {
	values := map[string]map[string]*string{}
	var diverged []string
	for _, k := range keys {
		values[k] = map[string]*string{}
		agree := allNodes
		want, haveFinal := final[k]
		for i := range ids {
			v, ok := read(i, k)
			if !ok {
				agree = false
				continue
			}
			values[k][ids[i]] = v
			if haveFinal && !sameValue(v, want) {
				agree = false
			}
			if i > 0 {
				if prev, ok := values[k][ids[0]]; !ok || !sameValue(prev, v) {
					agree = false
				}
			}
		}
		if !agree {
			diverged = append(diverged, k)
		}
	}
	return values, diverged
}

func sameValue(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
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

// analyse checks the history and computes the figures of the summary.
func (r *run) analyse(ctx context.Context) error {
	sum := r.sum
	events := r.rec.Events()
	ops := pairOps(events)
	r.ops = ops
	sum.Counts, sum.ByF = countOps(ops, r.workStart, r.workEnd)
	phases := buildPhases(r.windows, r.workStart, r.workEnd)
	sum.Windows, sum.Phases = phaseStats(ops, phases)
	sum.Faults = r.windows
	if sum.Faults == nil {
		sum.Faults = []chaos.Window{}
	}
	if sum.Interrupted {
		sum.Verdict = linearizability.Unknown
		sum.judge()
		return nil
	}
	r.prog.setStage("checking")
	t := time.Now()
	res, err := linearizability.Check(ctx, events, linearizability.Options{
		PerKeyTimeout: r.o.CheckTimeout,
		Progress:      func(done, total int) { r.prog.setStage(fmt.Sprintf("checking %d/%d keys", done, total)) },
	})
	sum.Timings.Check = secs(time.Since(t))
	if err != nil {
		return fmt.Errorf("scenarios: check: %w", err) // a bug: the recorder writes valid histories
	}
	r.result = res
	sum.Verdict = res.Verdict
	sum.KeyVerdicts = res.Keys
	for _, ex := range res.Explanations {
		sum.Explanations = append(sum.Explanations, ex.Text)
	}
	sum.FirstViolation = firstViolation(res.Explanations, r.workStart)
	sum.judge()
	return nil
}

func secs(d time.Duration) float64 { return round3(d.Seconds()) }

// firstViolation is the earliest completion (the invocation, for an open
// operation) among the operations the explanations name as impossible to
// order, in seconds after start; nil when there are none.
func firstViolation(exs []linearizability.Explanation, start int64) *float64 {
	first := int64(-1)
	for _, ex := range exs {
		for _, b := range ex.Blocked {
			t := b.Operation.Return
			if t < 0 {
				t = b.Operation.Call
			}
			if first < 0 || t < first {
				first = t
			}
		}
	}
	if first < 0 {
		return nil
	}
	v := secs(time.Duration(max(first-start, 0)))
	return &v
}
