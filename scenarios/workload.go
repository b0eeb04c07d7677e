package scenarios

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/linearizability"
)

// Mix weighs the operation kinds of the workload. Zero weights leave a kind
// out; the zero Mix means DefaultMix.
type Mix struct {
	Get, Set, Delete, CAS int
}

// DefaultMix reads half the time: reads are what stale-read bugs show up in,
// and writes with unique values are what reads identify.
var DefaultMix = Mix{Get: 50, Set: 25, Delete: 10, CAS: 15}

func (m Mix) total() int { return m.Get + m.Set + m.Delete + m.CAS }

// An Op is one planned operation of a workload client.
type Op struct {
	F     string // linearizability.FGet, FSet, FDelete or FCAS
	Key   string
	Value string // the unique value a set or cas writes, "c<client>-<n>"
	// Think is the pause after the operation: load shaping, not
	// synchronisation.
	Think time.Duration
}

// generator plans one client's operations from its own seeded source. Every
// Next draws exactly three values (kind, key, think time), so the sequence
// of kinds, keys, values and pauses depends only on the seed; only what a cas
// expects comes from what the client saw at run time.
type generator struct {
	client int
	keys   keySpace
	n      int // operations planned so far
	mix    Mix
	think  time.Duration
	rng    *rand.Rand
	writes int
}

// clientStream separates client random streams from the schedule's.
const clientStream = 0x636c69656e74 // "client"

func newGenerator(seed uint64, client int, keys keySpace, mix Mix, think time.Duration) *generator {
	if mix.total() <= 0 {
		mix = DefaultMix
	}
	return &generator{
		client: client,
		keys:   keys,
		mix:    mix,
		think:  think,
		rng:    rand.New(rand.NewPCG(seed, clientStream+uint64(client))),
	}
}

// Next plans the next operation.
func (g *generator) Next() Op {
	k := g.rng.IntN(g.mix.total())
	key := g.keys.key(g.rng.IntN(g.keys.Slots), g.keys.gen(g.n))
	g.n++
	var think time.Duration
	if g.think > 0 {
		think = time.Duration(g.rng.Int64N(2 * int64(g.think))) // uniform, mean think
	} else {
		g.rng.Uint64()
	}
	op := Op{Key: key, Think: think}
	switch {
	case k < g.mix.Get:
		op.F = linearizability.FGet
	case k < g.mix.Get+g.mix.Set:
		op.F = linearizability.FSet
	case k < g.mix.Get+g.mix.Set+g.mix.Delete:
		op.F = linearizability.FDelete
	default:
		op.F = linearizability.FCAS
	}
	if op.F == linearizability.FSet || op.F == linearizability.FCAS {
		g.writes++
		op.Value = "c" + strconv.Itoa(g.client) + "-" + strconv.Itoa(g.writes)
	}
	return op
}

// counters are the live totals by outcome the progress line shows.
type counters [linearizability.NumOutcomes]atomic.Int64

func (c *counters) add(o linearizability.Outcome) { c[o].Add(1) }

func (c *counters) get(o linearizability.Outcome) int64 { return c[o].Load() }

// kv is the part of api.Client a workload client uses (a fake in tests).
type kv interface {
	Get(ctx context.Context, key string, level api.ReadLevel) api.Result
	Set(ctx context.Context, key, value string) api.Result
	Delete(ctx context.Context, key string) api.Result
	CAS(ctx context.Context, key, expect, value string) api.Result
}

// worker is one workload client, bound to one node for the whole run (as
// Jepsen binds its clients), so that a node serving stale data is seen.
type worker struct {
	gen   *generator
	kv    kv
	rec   *linearizability.Client
	level api.ReadLevel
	// seen is the last value this client saw per key: read, written, or
	// found by a failed cas. A cas expects it.
	seen map[string]string
	cnt  *counters
	// failures counts failed or unknown operations in a row (backoff).
	failures int
}

func newWorker(gen *generator, c kv, rec *linearizability.Client, level api.ReadLevel, cnt *counters) *worker {
	return &worker{gen: gen, kv: c, rec: rec, level: level, seen: map[string]string{}, cnt: cnt}
}

// run executes operations until stop is closed. An operation in flight when
// stop closes completes (each call has its own timeout); ctx ends only on
// abort, and then outstanding calls end as unknown.
func (w *worker) run(ctx context.Context, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		default:
		}
		op := w.gen.Next()
		pause := op.Think
		if w.do(ctx, op) {
			w.failures = 0
		} else {
			w.failures++
			pause += backoff(w.failures)
		}
		if pause > 0 {
			t := time.NewTimer(pause)
			select {
			case <-t.C:
			case <-stop:
				t.Stop()
				return
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
	}
}

// Backoff after failed or unknown operations.
const (
	backoffBase = 25 * time.Millisecond
	backoffMax  = 400 * time.Millisecond
)

// backoff is the extra pause after the n-th failed or unknown operation in a
// row: 25 ms doubling up to 400 ms. Without it a client bound to a dead node
// (whose published port still accepts and then resets connections) would
// record hundreds of unknown-outcome writes per second; each one stays
// concurrent with everything after it, which makes the linearizability
// search explode. Real clients back off too.
func backoff(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	return min(backoffBase<<min(n-1, 8), backoffMax)
}

// do performs one operation and records it, and reports whether the store
// answered definitely (ok, or a cas that found another value). Outcomes map
// to the history as DESIGN.md says: api.OK → ok; a cas that found another
// value → fail without an error; any other definite failure → fail with the
// reason; api.Unknown → info (the recorder moves the client to a fresh
// process).
func (w *worker) do(ctx context.Context, op Op) bool {
	var (
		call *linearizability.Call
		r    api.Result
	)
	switch op.F {
	case linearizability.FGet:
		call = w.rec.GetAt(op.Key, string(w.level))
		r = w.kv.Get(ctx, op.Key, w.level)
	case linearizability.FSet:
		call = w.rec.Set(op.Key, op.Value)
		r = w.kv.Set(ctx, op.Key, op.Value)
	case linearizability.FDelete:
		call = w.rec.Delete(op.Key)
		r = w.kv.Delete(ctx, op.Key)
	case linearizability.FCAS:
		// Nothing seen yet: expect "", which no client writes, so the cas
		// fails with 409 and tells us the current value.
		expect := w.seen[op.Key]
		call = w.rec.CAS(op.Key, expect, op.Value)
		r = w.kv.CAS(ctx, op.Key, expect, op.Value)
	default:
		panic("scenarios: unknown op " + op.F)
	}
	// Record the completion, then count it with the one classifier the
	// statistics use too.
	var typ, why string
	switch {
	case r.Outcome == api.OK:
		typ = linearizability.TypeOk
		// The store's evidence of where the answer stands (absent: zero,
		// which the history records as no evidence).
		call.OkAt(r.Value, linearizability.Evidence{Index: r.Index, Incarnation: r.Incarnation})
		switch op.F {
		case linearizability.FGet:
			w.remember(op.Key, r.Value)
		case linearizability.FSet, linearizability.FCAS:
			w.seen[op.Key] = op.Value
		case linearizability.FDelete:
			delete(w.seen, op.Key)
		}
	case r.Outcome == api.Fail && r.Mismatch && op.F == linearizability.FCAS:
		typ = linearizability.TypeFail
		call.Fail("")
		w.remember(op.Key, r.Value)
	case r.Outcome == api.Fail:
		typ, why = linearizability.TypeFail, reason(r)
		call.Fail(why)
	default:
		typ, why = linearizability.TypeInfo, reason(r)
		call.Info(why)
	}
	oc := linearizability.Classify(op.F, typ, why)
	w.cnt.add(oc)
	return oc.Definite()
}

func (w *worker) remember(key string, v *string) {
	if v == nil {
		delete(w.seen, key)
	} else {
		w.seen[key] = *v
	}
}

// reason is the "error" field of a failed or unknown operation; never empty,
// because for a cas an empty reason would mean "found another value".
func reason(r api.Result) string {
	if r.Err != nil {
		return r.Err.Error()
	}
	if r.Status != 0 {
		return fmt.Sprintf("http %d", r.Status)
	}
	return r.Outcome.String()
}
