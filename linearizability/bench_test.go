package linearizability

import (
	"context"
	"fmt"
	"math/rand"
	"runtime"
	"runtime/metrics"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// Benchmarks: our Check next to porcupine called directly on the same
// operations with a plain key-value model. Run with, for example,
//
//	go test ./linearizability -run XXX -bench . -benchtime 3x
//
// Each reports peak-heap-MiB, the largest Go heap seen while it ran.

// benchHistory generates a history of a linearizable store: clients run
// operations back to back on random keys (40% get, 35% set, 10% delete, 15%
// cas); a write ends unknown with probability unknownWrites (it took effect
// or not, at random) and the client continues under a fresh process.
func benchHistory(seed int64, clients, ops, keys int, unknownWrites float64) []Event {
	rng := rand.New(rand.NewSource(seed))
	type plan struct {
		process        int
		key            int
		f              string
		call, lin, ret int64
		unknown        bool
		applied        bool
		value, expect  *string
		read           *string
		mismatch       bool
	}
	plans := make([]plan, 0, ops)
	cursor := make([]int64, clients)
	proc := make([]int, clients)
	for c := range proc {
		proc[c] = c
	}
	nextProc := clients
	for i := 0; i < ops; i++ {
		c := i % clients
		p := plan{process: proc[c], key: rng.Intn(keys)}
		switch r := rng.Intn(20); {
		case r < 8:
			p.f = FGet
		case r < 15:
			p.f = FSet
		case r < 17:
			p.f = FDelete
		default:
			p.f = FCAS
		}
		p.call = cursor[c] + 1 + int64(rng.Intn(1000))
		p.lin = p.call + int64(rng.Intn(20000))
		p.ret = p.lin + int64(rng.Intn(20000))
		cursor[c] = p.ret
		p.applied = true
		if p.f != FGet && rng.Float64() < unknownWrites {
			p.unknown, p.applied = true, rng.Intn(2) == 0
			proc[c] = nextProc
			nextProc++
		}
		plans = append(plans, p)
	}
	order := make([]int, len(plans))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return plans[order[a]].lin < plans[order[b]].lin })
	state := make([]*string, keys)
	seq := 0
	for _, i := range order {
		p := &plans[i]
		if p.f == FSet || p.f == FCAS {
			seq++
			p.value = Str(fmt.Sprintf("v%d", seq))
		}
		if p.f == FCAS {
			if cur := state[p.key]; cur != nil && rng.Intn(2) == 0 {
				p.expect = cur
			} else {
				p.expect = Str(fmt.Sprintf("v%d", rng.Intn(seq)))
			}
		}
		if !p.applied {
			continue
		}
		switch p.f {
		case FGet:
			p.read = state[p.key]
		case FSet:
			state[p.key] = p.value
		case FDelete:
			state[p.key] = nil
		case FCAS:
			if cur := state[p.key]; cur != nil && *cur == *p.expect {
				state[p.key] = p.value
			} else {
				p.mismatch = true
			}
		}
	}
	events := make([]Event, 0, 2*len(plans))
	for i := range plans {
		p := &plans[i]
		key := fmt.Sprintf("k%d", p.key)
		events = append(events, Event{Process: p.process, Type: TypeInvoke, F: p.f, Key: key, Value: p.value, Expect: p.expect, Time: p.call})
		done := Event{Process: p.process, Type: TypeOk, F: p.f, Key: key, Value: p.value, Time: p.ret}
		switch {
		case p.unknown:
			done.Type, done.Error = TypeInfo, "timeout"
		case p.f == FGet:
			done.Value = p.read
		case p.mismatch:
			done.Type = TypeFail
		}
		events = append(events, done)
	}
	sort.SliceStable(events, func(a, b int) bool { return events[a].Time < events[b].Time })
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
