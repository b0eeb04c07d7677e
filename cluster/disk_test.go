package cluster

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

// TestDiskFaults shows what a node does after each disk fault, one node at
// a time on one cluster (each step heals before the next).
func TestDiskFaults(t *testing.T) {
	o := testOptions(t.Name())
	o.SnapshotThreshold = 64
	o.SnapshotInterval = 500 * time.Millisecond
	c := startCluster(t, o)
	ctx := ctxFor(t, 4*time.Minute)
	leader, err := c.Leader(ctx)
	require.NoError(t, err)
	cl := nodeClient(t, ctx, leader)
	write := func(prefix string, n int) {
		for i := range n {
			require.Equal(t, api.OK, cl.Set(ctx, fmt.Sprintf("%s%d", prefix, i), strings.Repeat("v", 100)).Outcome)
		}
	}
	write("a", 300)
	f := c.Others(leader)[0]
	fcl := nodeClient(t, ctx, f)
	eventually(t, ctx, "follower has the writes", func() bool { return readsAs(ctx, fcl, "a299", strings.Repeat("v", 100), api.ReadStale) })

	t.Run("truncate raft log tail", func(t *testing.T) {
		before, err := f.Status(ctx)
		require.NoError(t, err)
		require.NoError(t, f.Kill(ctx))
		ch, err := f.Truncate(ctx, RaftLogFiles, 8<<10, 0.5)
		require.NoError(t, err)
		t.Logf("truncated %s: %d → %d bytes", ch.File, ch.Size, ch.NewSize)
		require.NoError(t, f.Start(ctx))
		require.NoError(t, f.WaitReady(ctx))
		after, err := f.Status(ctx)
		require.NoError(t, err)
		t.Logf("before: last %d applied %d; after restart: last %d applied %d", before.LastIndex, before.AppliedIndex, after.LastIndex, after.AppliedIndex)
		write("b", 20)
		eventually(t, ctx, "truncated node catches up", func() bool { return readsAs(ctx, fcl, "b19", strings.Repeat("v", 100), api.ReadStale) })
	})

	t.Run("bitflip raft log", func(t *testing.T) {
		require.NoError(t, f.Kill(ctx))
		ch, err := f.FlipBits(ctx, RaftLogFiles, 1, 0.5, 42)
		require.NoError(t, err)
		t.Logf("flipped %s at %v (size %d)", ch.File, ch.Flipped, ch.Size)
		require.NoError(t, f.Start(ctx))
		rctx := ctxFor(t, 20*time.Second)
		rerr := f.WaitReady(rctx)
		st, _ := f.ContainerState(ctx)
		logs, _ := f.Logs(ctx)
		t.Logf("after bitflip: ready err=%v, container %s; log tail:\n%s", rerr, st, tail(logs, 8))
	})

	require.NoError(t, c.Recover(ctxFor(t, time.Minute)))
	t.Run("bitflip snapshot", func(t *testing.T) {
		write("c", 100)
		require.NoError(t, f.Kill(ctx))
		ch, err := f.FlipBits(ctx, SnapshotFiles, 1, 0, 7)
		require.NoError(t, err)
		t.Logf("flipped %s at %v (size %d)", ch.File, ch.Flipped, ch.Size)
		require.NoError(t, f.Start(ctx))
		rctx := ctxFor(t, 20*time.Second)
		rerr := f.WaitReady(rctx)
		st, _ := f.ContainerState(ctx)
		logs, _ := f.Logs(ctx)
		t.Logf("after snapshot bitflip: ready err=%v, container %s; log tail:\n%s", rerr, st, tail(logs, 8))
	})
	assert.True(t, true)
}

func tail(b []byte, lines int) string {
	ls := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}
