package linearizability

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/raftlab/raftlab/internal/histgen"
)

// Benchmarks: our Check next to porcupine called directly on the same
// operations with a plain key-value model. Run with, for example,
//
//	go test ./linearizability -run XXX -bench . -benchtime 3x
//
// Each reports peak-heap-MiB, the largest Go heap seen while it ran.

// benchHistory generates a history of a linearizable store (histgen):
// clients run operations back to back on random keys (40% get, 35% set, 10%
// delete, 15% cas); a write ends unknown with probability unknownWrites (it
// took effect or not, at random) and the client continues under a fresh
// process.
func benchHistory(seed int64, clients, ops, keys int, unknownWrites float64) []Event {
	h := histgen.History(histgen.Options{Seed: seed, Clients: clients, Ops: ops, Keys: keys,
		Mix: [4]int{8, 7, 2, 3}, UnknownWrites: unknownWrites})
	events := make([]Event, len(h))
	for i := range h {
		events[i] = Event(h[i])
	}
	return events
}

// rawKV is the plain porcupine model a user would write first: string
// states, partitioned by key, unknown writes returning after the end with an
// output that accepts anything.
type rawInput struct {
	f                  string
	key                string
	value, expect      string
	absent, casMissing bool
	unknown            bool
}

const rawAbsent = "\x00absent"

var rawKV = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		m := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range h {
			k := op.Input.(*rawInput).key
			if _, ok := m[k]; !ok {
				keys = append(keys, k)
			}
			m[k] = append(m[k], op)
		}
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, m[k])
		}
		return out
	},
	Init: func() interface{} { return rawAbsent },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		s, in := state.(string), input.(*rawInput)
		switch in.f {
		case FGet:
			return s == in.value, s
		case FSet:
			return true, in.value
		case FDelete:
			return true, rawAbsent
		}
		switch { // cas
		case in.unknown:
			if s == in.expect {
				return true, in.value
			}
			return true, s
		case in.casMissing:
			return s != in.expect, s
		default:
			if s == in.expect {
				return true, in.value
			}
			return false, s
		}
	},
}

// rawOperations turns a history into porcupine operations the plain way
// (dropping what constrains nothing, no pruning).
func rawOperations(tb testing.TB, events []Event) []porcupine.Operation {
	ops, err := Pair(events)
	if err != nil {
		tb.Fatal(err)
	}
	end := events[len(events)-1].Time
	var out []porcupine.Operation
	for i := range ops {
		op := &ops[i]
		if (op.F == FGet && op.Type != TypeOk) || (op.Type == TypeFail && (op.F != FCAS || op.Error != "")) {
			continue
		}
		in := &rawInput{f: op.F, key: op.Key, unknown: op.Type == TypeInfo, casMissing: op.F == FCAS && op.Type == TypeFail}
		if op.Value != nil {
			in.value = *op.Value
		} else {
			in.value = rawAbsent
		}
		if op.Expect != nil {
			in.expect = *op.Expect
		}
		ret := op.Return
		if in.unknown {
			ret = end + 1
		}
		out = append(out, porcupine.Operation{ClientId: op.Process, Input: in, Call: op.Call, Return: ret})
	}
	return out
}

// peakHeap samples the heap while a benchmark runs.
type peakHeap struct {
	quit chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func startPeak() *peakHeap {
	runtime.GC()
	p := &peakHeap{quit: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			p.peak = max(p.peak, s[0].Value.Uint64())
			select {
			case <-p.quit:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakHeap) stop(b *testing.B) {
	close(p.quit)
	p.wg.Wait()
	b.ReportMetric(float64(p.peak)/(1<<20), "peak-heap-MiB")
}

type benchCase struct {
	name                 string
	clients, ops, keys   int
	unknownWrites        float64
	rawTooBigForTheShelf bool
}

var benchCases = []benchCase{
	{name: "10k-ops-1-key-8-clients", clients: 8, ops: 10_000, keys: 1},
	{name: "100k-ops-100-keys", clients: 16, ops: 100_000, keys: 100},
	{name: "1M-ops-1000-keys-1pct-unknown", clients: 16, ops: 1_000_000, keys: 1000, unknownWrites: 0.01},
}

var benchCache = map[string][]Event{}

func benchEvents(c benchCase) []Event {
	if e, ok := benchCache[c.name]; ok {
		return e
	}
	e := benchHistory(42, c.clients, c.ops, c.keys, c.unknownWrites)
	benchCache[c.name] = e
	return e
}

func BenchmarkCheck(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			events := benchEvents(c)
			b.ReportAllocs()
			b.ResetTimer()
			p := startPeak()
			for i := 0; i < b.N; i++ {
				res, err := Check(context.Background(), events, Options{PerKeyTimeout: 5 * time.Minute, MaxHeap: -1})
				if err != nil || res.Verdict != Linearizable {
					b.Fatalf("%v %v", err, res.Verdict)
				}
			}
			p.stop(b)
		})
	}
}

func BenchmarkRawPorcupine(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			ops := rawOperations(b, benchEvents(c))
			b.ReportAllocs()
			b.ResetTimer()
			p := startPeak()
			for i := 0; i < b.N; i++ {
				if !porcupine.CheckOperations(rawKV, ops) {
					b.Fatal("raw porcupine: not linearizable")
				}
			}
			p.stop(b)
		})
	}
}

// BenchmarkCheckPathologicalKey: a key porcupine cannot decide ends as
// Unknown within its budget (1 s here) instead of taking the machine's memory.
func BenchmarkCheckPathologicalKey(b *testing.B) {
	var hb historyBuilder
	hb.pathological("p", 30)
	b.ReportAllocs()
	b.ResetTimer()
	p := startPeak()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := Check(context.Background(), hb.events, Options{PerKeyTimeout: time.Second})
		if err != nil || res.Verdict != Unknown {
			b.Fatalf("%v %v", err, res.Verdict)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s-to-unknown")
	}
	p.stop(b)
}
