package node

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/raftlab/raftlab/api"

	"github.com/stretchr/testify/require"
)

// Benchmarks of the HTTP API against a three-node cluster on loopback (real
// TCP, real Badger with fsync). Each reports ops/s and p50/p99 latency:
//
//	go test ./node -run=NONE -bench=. -benchtime=3s -count=5
//
// Clients talk to the leader, as a lab client bound to the leader would.
func BenchmarkWrite1Client(b *testing.B)              { benchOps(b, 1, opWrite) }
func BenchmarkWrite16Clients(b *testing.B)            { benchOps(b, 16, opWrite) }
func BenchmarkLinearizableRead16Clients(b *testing.B) { benchOps(b, 16, opRead) }

type benchOp int

const (
	opWrite benchOp = iota
	opRead
)

func benchOps(b *testing.B, clients int, op benchOp) {
	nodes := startNodes(b, 3)
	leader := leaderOf(b, nodes)
	ctx := context.Background()
	value := strings.Repeat("v", 100)
	c0 := api.NewClient(leader.HTTPAddr())
	for i := 0; i < 100; i++ {
		require.Equal(b, api.OK, c0.Set(ctx, fmt.Sprintf("k%d", i), value).Outcome)
	}

	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var failed atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := api.NewClient(leader.HTTPAddr())
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				key := fmt.Sprintf("k%d", i%100)
				t0 := time.Now()
				var r api.Result
				if op == opWrite {
					r = c.Set(ctx, key, value)
				} else {
					r = c.Get(ctx, key, api.ReadLinearizable)
				}
				lat[w] = append(lat[w], time.Since(t0))
				if r.Outcome != api.OK {
					failed.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	require.Zero(b, failed.Load(), "operations failed during the benchmark")
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}
