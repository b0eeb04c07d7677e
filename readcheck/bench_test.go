package readcheck

import (
	"bytes"
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/raftlab/raftlab/internal/histgen"
	L "github.com/raftlab/raftlab/linearizability"
)

// Benchmarks: the evidence-based contract check (Contracts) next to the
// linearizability check of the same history. Run with
//
//	go test ./readcheck -run XXX -bench . -benchtime 3x
//
// Each reports peak-heap-MiB, the largest Go heap seen while it ran.

// evidenceHistory simulates a correct store with evidence (histgen): writes
// take the next log index at their linearization point; linearizable reads
// return the state at that point and the log's length; stale and leader
// reads return the state at their node's applied index, which lags the log
// by up to 49 entries and never goes back. 1% of writes end unknown
// (applied or not).
func evidenceHistory(seed int64, clients, ops, keys int) []L.Event {
	h := histgen.History(histgen.Options{Seed: seed, Clients: clients, Ops: ops, Keys: keys,
		Mix: [4]int{10, 8, 2, 0}, UnknownWrites: 0.01, Evidence: true,
		Nodes:  []string{"n1", "n2", "n3"},
		Levels: []string{L.LevelLinearizable, L.LevelStale, L.LevelStale, L.LevelLeader}, MaxLag: 49})
	events := make([]L.Event, len(h))
	for i := range h {
		events[i] = L.Event(h[i])
	}
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

// BenchmarkContracts1M is the evidence-based check of 1M operations. Timed:
// Contracts on the events in memory, all of it (validating and pairing the
// events, every contract check, the result); not reading the file
// (BenchmarkDecode1M) nor porcupine, which 'chaoslab check' runs on top
// (BenchmarkLinearizability1M).
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

// BenchmarkDecode1M is what 'chaoslab check' pays before checking: reading
// the same history from its JSON lines (validated line by line).
func BenchmarkDecode1M(b *testing.B) {
	var buf bytes.Buffer
	if err := L.WriteJSONL(&buf, benchEvents()); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	p := startPeak()
	for i := 0; i < b.N; i++ {
		events, err := L.ReadJSONL(bytes.NewReader(data))
		if err != nil || len(events) != len(benchEvents()) {
			b.Fatalf("%v: %d events", err, len(events))
		}
	}
	p.stop(b)
}
