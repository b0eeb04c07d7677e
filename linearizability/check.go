package linearizability

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
)

// A Verdict is the answer for a key or a whole history.
type Verdict string

const (
	Linearizable    Verdict = "linearizable"
	NotLinearizable Verdict = "not linearizable"
	Unknown         Verdict = "unknown" // the budget ran out before an answer
)

// Defaults of [Options].
const (
	DefaultPerKeyTimeout = 10 * time.Second
	DefaultMaxHeap       = 4 << 30
)

// Options tune [Check]. The zero value is ready to use.
type Options struct {
	// PerKeyTimeout is each key's time budget (default 10 s); a key whose
	// search does not finish within it is Unknown. Explaining a violation
	// gets a second budget of the same length.
	PerKeyTimeout time.Duration
	// Parallelism is how many keys are checked at once (default GOMAXPROCS).
	Parallelism int
	// MaxHeap is the memory guard in bytes (default 4 GiB; negative turns it
	// off). While the Go heap is above it, the key that has been searching
	// longest is stopped and reported Unknown.
	MaxHeap int64
	// Progress, if set, is called after each key with the number of keys done
	// and the total. Calls are serialized.
	Progress func(done, total int)
	// KeepUnobserved turns off the pruning of unknown writes that nothing
	// observed (see the package doc). The verdict is the same either way.
	KeepUnobserved bool
	// ReadLevels, if not empty, keeps only the gets of these read levels
	// ("linearizable", "leader", "stale"; a get without a level is
	// linearizable); every write is kept. Empty: every get (as before). A
	// level no get has ("writes only") keeps the writes alone.
	// readcheck uses it to judge each level's reads with the writes.
	ReadLevels []string
}

func (o Options) withDefaults() Options {
	if o.PerKeyTimeout <= 0 {
		o.PerKeyTimeout = DefaultPerKeyTimeout
	}
	if o.Parallelism <= 0 {
		o.Parallelism = runtime.GOMAXPROCS(0)
	}
	if o.MaxHeap == 0 {
		o.MaxHeap = DefaultMaxHeap
	}
	return o
}

// KeyResult is the verdict of one key.
type KeyResult struct {
	Verdict    Verdict       `json:"verdict"`
	Reason     string        `json:"reason,omitempty"` // why Unknown
	Operations int           `json:"operations"`       // operations on the key in the history
	Checked    int           `json:"checked"`          // operations given to porcupine
	Unknown    int           `json:"unknown"`          // operations whose outcome is unknown
	Pruned     int           `json:"pruned"`           // unknown writes left out, never observed
	Elapsed    time.Duration `json:"elapsed_ns"`
}

// Result is the verdict of a whole history.
type Result struct {
	// Verdict is NotLinearizable if any key is, else Unknown if any key is,
	// else Linearizable (every key was proved so).
	Verdict      Verdict              `json:"verdict"`
	Operations   int                  `json:"operations"`
	Nemesis      int                  `json:"nemesis_events"`
	Keys         map[string]KeyResult `json:"keys"`
	Explanations []Explanation        `json:"explanations,omitempty"` // one per key not linearizable, by key
	Elapsed      time.Duration        `json:"elapsed_ns"`

	h    *history
	opts Options
}

// KeysWith returns the keys with verdict v, sorted.
func (r *Result) KeysWith(v Verdict) []string {
	var keys []string
	for k, kr := range r.Keys {
		if kr.Verdict == v {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// Check decides whether a history is linearizable, key by key (see the
// package doc for the semantics and the budget). It returns an error, a
// [*LineError], only if the history is malformed. Cancelling ctx makes the
// keys not yet decided Unknown.
func Check(ctx context.Context, events []Event, opts Options) (*Result, error) {
	start := time.Now()
	h, err := buildHistory(events)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	res := &Result{
		Operations: len(h.ops),
		Nemesis:    len(h.nemesis),
		Keys:       make(map[string]KeyResult, len(h.keys)),
		h:          h,
		opts:       opts,
	}

	// Largest keys first, so that the slowest ones do not start last.
	order := append([]string(nil), h.keys...)
	sort.SliceStable(order, func(i, j int) bool { return len(h.byKey[order[i]]) > len(h.byKey[order[j]]) })

	g := newGuard(ctx, opts.MaxHeap)
	defer g.close()

	var (
		mu   sync.Mutex
		done int
		next atomic.Int64
		wg   sync.WaitGroup
	)
	workers := min(opts.Parallelism, len(order))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(order) {
					return
				}
				key := order[i]
				kr, ex := checkKey(ctx, g, h, key, opts)
				mu.Lock()
				res.Keys[key] = kr
				if ex != nil {
					res.Explanations = append(res.Explanations, *ex)
				}
				done++
				if opts.Progress != nil {
					opts.Progress(done, len(order))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	sort.Slice(res.Explanations, func(i, j int) bool { return res.Explanations[i].Key < res.Explanations[j].Key })
	res.Verdict = Linearizable
	for _, kr := range res.Keys {
		switch {
		case kr.Verdict == NotLinearizable:
			res.Verdict = NotLinearizable
		case kr.Verdict == Unknown && res.Verdict == Linearizable:
			res.Verdict = Unknown
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func checkKey(ctx context.Context, g *guard, h *history, key string, opts Options) (KeyResult, *Explanation) {
	start := time.Now()
	idx := h.byKey[key]
	if len(opts.ReadLevels) > 0 {
		idx = keepLevels(idx, h.ops, opts.ReadLevels)
	}
	kh := prepareKey(key, idx, h.ops, h.end, !opts.KeepUnobserved)
	kr := KeyResult{Operations: kh.total, Checked: len(kh.ops), Unknown: kh.unknown, Pruned: kh.pruned}
	if len(kh.ops) == 0 {
		kr.Verdict, kr.Elapsed = Linearizable, time.Since(start)
		return kr, nil
	}
	r := g.begin(opts.PerKeyTimeout)
	res := porcupine.CheckOperationsTimeout(kh.model(&r.abort), kh.ops, 0)
	reason := g.end(r)
	switch {
	case res == porcupine.Ok:
		kr.Verdict = Linearizable
	case reason != "":
		kr.Verdict, kr.Reason = Unknown, reason
	case res == porcupine.Illegal:
		kr.Verdict = NotLinearizable
	default:
		kr.Verdict, kr.Reason = Unknown, "porcupine gave up"
	}
	kr.Elapsed = time.Since(start)
	if kr.Verdict != NotLinearizable {
		return kr, nil
	}
	ex := explainKey(g, kh, opts.PerKeyTimeout)
	return kr, &ex
}

// guard runs searches under a time budget, the memory guard and ctx: it stops
// a search by setting its abort flag, which the model's Step reads.
type guard struct {
	ctx     context.Context
	maxHeap int64
	mu      sync.Mutex
	running map[*search]struct{}
	quit    chan struct{}
	wg      sync.WaitGroup
}

type search struct {
	abort  atomic.Bool
	start  time.Time
	timer  *time.Timer
	done   chan struct{}
	mu     sync.Mutex
	reason string
}

func (s *search) stop(reason string) {
	s.mu.Lock()
	if s.reason == "" {
		s.reason = reason
	}
	s.mu.Unlock()
	s.abort.Store(true)
}

func newGuard(ctx context.Context, maxHeap int64) *guard {
	g := &guard{ctx: ctx, maxHeap: maxHeap, running: map[*search]struct{}{}, quit: make(chan struct{})}
	g.wg.Add(1)
	go g.watch()
	return g
}

func (g *guard) close() {
	close(g.quit)
	g.wg.Wait()
}

func (g *guard) begin(budget time.Duration) *search {
	s := &search{start: time.Now(), done: make(chan struct{})}
	s.timer = time.AfterFunc(budget, func() { s.stop(fmt.Sprintf("time budget of %s ran out", budget)) })
	if g.ctx.Err() != nil {
		s.stop("cancelled")
	}
	g.mu.Lock()
	g.running[s] = struct{}{}
	g.mu.Unlock()
	return s
}

// end finishes a search and returns why it was stopped ("" if it was not).
func (g *guard) end(s *search) string {
	s.timer.Stop()
	g.mu.Lock()
	delete(g.running, s)
	g.mu.Unlock()
	close(s.done)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.abort.Load() {
		return ""
	}
	return s.reason
}

// watch stops every search when ctx is cancelled, and the longest-running
// search while the heap is above maxHeap.
func (g *guard) watch() {
	defer g.wg.Done()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-g.quit:
			return
		case <-g.ctx.Done():
			g.mu.Lock()
			for s := range g.running {
				s.stop("cancelled")
			}
			g.mu.Unlock()
			// New searches see ctx.Err in begin; keep the loop for the heap.
			select {
			case <-g.quit:
				return
			case <-tick.C:
			}
		case <-tick.C:
		}
		if g.maxHeap <= 0 {
			continue
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 || int64(sample[0].Value.Uint64()) <= g.maxHeap {
			continue
		}
		var oldest *search
		g.mu.Lock()
		for s := range g.running {
			if !s.abort.Load() && (oldest == nil || s.start.Before(oldest.start)) {
				oldest = s
			}
		}
		g.mu.Unlock()
		if oldest == nil {
			continue
		}
		oldest.stop(fmt.Sprintf("memory guard: heap above %d MiB", g.maxHeap>>20))
		select {
		case <-oldest.done:
			runtime.GC()
		case <-g.quit:
			return
		}
	}
}

// keepLevels returns the operations of idx without the gets whose read level
// is not one of levels (a new slice; idx is shared by the history).
func keepLevels(idx []int, ops []Operation, levels []string) []int {
	out := make([]int, 0, len(idx))
	for _, i := range idx {
		if ops[i].F == FGet && !containsLevel(levels, ops[i].ReadLevel()) {
			continue
		}
		out = append(out, i)
	}
	return out
}

func containsLevel(levels []string, l string) bool {
	for _, x := range levels {
		if x == l || (x == "" && l == LevelLinearizable) {
			return true
		}
	}
	return false
}
