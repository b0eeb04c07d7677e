package readcheck

import (
	"context"
	"fmt"
	"math/rand"
	"runtime"
	"runtime/metrics"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	L "github.com/raftlab/raftlab/linearizability"
)

// Benchmarks: the evidence-based contract check (Contracts) next to the
// linearizability check of the same history. Run with
//
//	go test ./readcheck -run XXX -bench . -benchtime 3x
//
// Each reports peak-heap-MiB, the largest Go heap seen while it ran.

// evidenceHistory simulates a correct store with evidence: writes take the
// next log index at their linearization point; linearizable reads return the
// state at that point and the log's length; stale and leader reads return the
// state at their node's applied index, which lags the log by up to 50 entries
// and never goes back. A fraction of writes end unknown (applied or not).
func evidenceHistory(seed int64, clients, ops, keys int) []L.Event {
	rng := rand.New(rand.NewSource(seed))
	type plan struct {
		inv, comp      L.Event
		lin            int64
		unknown, apply bool
	}
	nodes := []string{"n1", "n2", "n3"}
	plans := make([]plan, 0, ops)
	cursor := make([]int64, clients)
	proc := make([]int, clients)
	for c := range proc {
		proc[c] = c
	}
	next := clients
	for i := 0; i < ops; i++ {
		c := i % clients
		key := fmt.Sprintf("k%d", rng.Intn(keys))
		call := cursor[c] + 1 + int64(rng.Intn(1000))
		lin := call + int64(rng.Intn(20000))
		ret := lin + int64(rng.Intn(20000))
		cursor[c] = ret
		node := nodes[c%len(nodes)]
		p := plan{lin: lin, apply: true}
		p.inv = L.Event{Process: proc[c], Type: L.TypeInvoke, Key: key, Time: call, Node: node}
		switch r := rng.Intn(20); {
		case r < 10:
			p.inv.F = L.FGet
			p.inv.Level = []string{L.LevelLinearizable, L.LevelStale, L.LevelStale, L.LevelLeader}[c%4]
		case r < 18:
			p.inv.F, p.inv.Value = L.FSet, L.Str(fmt.Sprintf("v%d", i))
		default:
			p.inv.F = L.FDelete
		}
		if p.inv.F != L.FGet && rng.Intn(100) == 0 {
			p.unknown, p.apply = true, rng.Intn(2) == 0
			proc[c] = next
			next++
		}
		p.comp = p.inv
		p.comp.Type, p.comp.Time = L.TypeOk, ret
		if p.unknown {
			p.comp.Type = L.TypeInfo
		}
		plans = append(plans, p)
	}
	order := make([]int, len(plans))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return plans[order[a]].lin < plans[order[b]].lin })
	type version struct {
		index int64
		value *string
	}
	history := map[string][]version{}
	applied := map[string]int64{}
	index := int64(1) // the cluster's first entry (its configuration): every read is served at ≥ 1
	for _, i := range order {
		p := &plans[i]
		if p.inv.F != L.FGet {
			if !p.apply {
				continue
			}
			index++
			history[p.inv.Key] = append(history[p.inv.Key], version{index, p.inv.Value})
			if !p.unknown {
				p.comp.Index = index
			}
			continue
		}
		at := index
		if p.inv.Level != L.LevelLinearizable {
			at = max(applied[p.inv.Node], index-int64(rng.Intn(50)))
			applied[p.inv.Node] = at
		}
		vs := history[p.inv.Key]
		n := sort.Search(len(vs), func(k int) bool { return vs[k].index > at })
		if n > 0 {
			p.comp.Value = vs[n-1].value
		}
		p.comp.Index = at
	}
	events := make([]L.Event, 0, 2*len(plans))
	for _, p := range plans {
		events = append(events, p.inv, p.comp)
	}
	sort.SliceStable(events, func(a, b int) bool { return events[a].Time < events[b].Time })
	return events
}

var benchEvents = sync.OnceValue(func() []L.Event { return evidenceHistory(42, 16, 1_000_000, 1000) })

type peakHeap struct {
	quit chan struct{}
	wg   sync.WaitGroup
	peak uint64
	cpu0 time.Duration
}

// cpuTime is the process's user and system CPU time: on a shared machine a
// steadier figure than the wall clock (other processes' load does not count).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startPeak() *peakHeap {
	runtime.GC()
	p := &peakHeap{quit: make(chan struct{}), cpu0: cpuTime()}
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
	cpu := cpuTime() - p.cpu0
	close(p.quit)
	p.wg.Wait()
	b.ReportMetric(float64(p.peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkContracts1M is the evidence-based check of 1M operations.
func BenchmarkContracts1M(b *testing.B) {
	events := benchEvents()
	b.ReportAllocs()
	b.ResetTimer()
	p := startPeak()
	for i := 0; i < b.N; i++ {
		res, err := Contracts(events)
		if err != nil || res.AnomaliesTotal != 0 || !res.Evidence {
			b.Fatalf("%v %d anomalies %v", err, res.AnomaliesTotal, res.Anomalies[:min(3, len(res.Anomalies))])
		}
	}
	p.stop(b)
}

// BenchmarkLinearizability1M is linearizability.Check of the same history.
func BenchmarkLinearizability1M(b *testing.B) {
	events := benchEvents()
	b.ReportAllocs()
	b.ResetTimer()
	p := startPeak()
	for i := 0; i < b.N; i++ {
		if _, err := L.Check(context.Background(), events, L.Options{PerKeyTimeout: 5 * time.Minute, MaxHeap: -1}); err != nil {
			b.Fatal(err)
		}
	}
	p.stop(b)
}
