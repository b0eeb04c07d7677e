package cluster

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/stretchr/testify/require"
)

// TestDelayFigures measures the delay daemon's cost under raft traffic: a
// 100 ms delay both ways on the leader while four clients write through it
// for ten seconds; it reports the packets the daemon held, its CPU time and
// the writes' throughput. Runs only when asked:
//
//	RAFTLAB_FIGURES=1 go test -run TestDelayFigures -v ./cluster
func TestDelayFigures(t *testing.T) {
	if os.Getenv("RAFTLAB_FIGURES") == "" {
		t.Skip("set RAFTLAB_FIGURES=1 to measure")
	}
	c := shared(t)
	ctx := ctxFor(t, 2*time.Minute)
	leader, err := c.Leader(ctx)
	require.NoError(t, err)
	write := func(d time.Duration) (int64, time.Duration) {
		var ok atomic.Int64
		var wg sync.WaitGroup
		end := time.Now().Add(d)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cl := nodeClient(t, ctx, leader)
				for i := 0; time.Now().Before(end); i++ {
					if cl.Set(ctx, fmt.Sprintf("fig%d", w), fmt.Sprint(i)).Outcome == api.OK {
						ok.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		return ok.Load(), d / time.Duration(max(ok.Load()/4, 1))
	}
	n0, lat0 := write(5 * time.Second)
	require.NoError(t, leader.Delay(ctx, DelaySpec{Delay: 100 * time.Millisecond}))
	n1, lat1 := write(10 * time.Second)
	fs, err := leader.Faults(ctx)
	require.NoError(t, err)
	require.NoError(t, c.HealNetwork(ctx))
	require.Len(t, fs.Delays, 1)
	d := fs.Delays[0]
	t.Logf("writes without delay: %.0f/s (%v each); with 100 ms both ways on leader %s: %.0f/s (%v each)",
		float64(n0)/5, lat0, leader, float64(n1)/10, lat1)
	t.Logf("daemon: %d packets in ~10 s, CPU %v (%.1f µs/packet, %.1f%% of a core); queue drops %d, socket drops %d",
		d.Packets, d.CPUTime, float64(d.CPUTime.Microseconds())/float64(max(d.Packets, 1)),
		100*d.CPUTime.Seconds()/10, d.QueueDrops, d.SocketDrops)
}
