package cluster

import (
	"context"
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

	// after starts f again and reports what it did: refused to start (it
	// exited with "start failed" in its log), or became ready and caught up
	// (its stale reads of fresh writes match).
	after := func(t *testing.T, prefix string, before *api.Status) string {
		require.NoError(t, f.Start(ctx))
		var state string
		eventually(t, ctxFor(t, 30*time.Second), "the node becomes ready or exits", func() bool {
			state, _ = f.ContainerState(ctx)
			rctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			return state == "exited" || fcl.Ready(rctx) == nil
		})
		if state == "exited" {
			logs, _ := f.Logs(ctx)
			require.Contains(t, string(logs), "start failed")
			t.Logf("refused to start; log tail:\n%s", tail(logs, 2))
			return "refused"
		}
		st, err := f.Status(ctx)
		require.NoError(t, err)
		t.Logf("started: before the fault last index %d, applied %d; after the restart last index %d, applied %d",
			before.LastIndex, before.AppliedIndex, st.LastIndex, st.AppliedIndex)
		write(prefix, 20)
		eventually(t, ctx, "the node catches up", func() bool {
			return readsAs(ctx, fcl, prefix+"19", strings.Repeat("v", 100), api.ReadStale)
		})
		return "caught up"
	}

	// A cut tail is indistinguishable from a torn write after a crash:
	// Badger (Truncate) and raft accept the shorter log; the leader sends
	// the missing entries again.
	t.Run("truncate raft log tail", func(t *testing.T) {
		before, err := f.Status(ctx)
		require.NoError(t, err)
		require.NoError(t, f.Kill(ctx))
		ch, err := f.Truncate(ctx, RaftLogFiles, 8<<10, 0.5)
		require.NoError(t, err)
		t.Logf("%s", ch)
		assert.Equal(t, ch.Size-8<<10, ch.NewSize)
		t.Logf("outcome: %s", after(t, "b", before))
	})

	// A flipped bit in the value log: Badger's replay stops at the entry
	// whose checksum fails and (Truncate) silently drops everything after
	// it, so this is a (larger) truncation.
	t.Run("bitflip raft log", func(t *testing.T) {
		before, err := f.Status(ctx)
		require.NoError(t, err)
		require.NoError(t, f.Kill(ctx))
		ch, err := f.FlipBits(ctx, RaftLogFiles, 1, 0.5, 42)
		require.NoError(t, err)
		t.Logf("%s", ch)
		t.Logf("outcome: %s", after(t, "c", before))
	})

	// A flipped bit in a snapshot: raft's snapshot store checks the CRC
	// when the node opens its newest snapshot at start, and the node
	// refuses to start. Replacing it (Wipe) brings it back from its peers.
	t.Run("bitflip snapshot", func(t *testing.T) {
		before, err := f.Status(ctx)
		require.NoError(t, err)
		// Raft snapshots on its own timer (threshold and interval): write
		// until f reports a snapshot in /status, then damage it while f is
		// down. Waiting for the report, not for a file, keeps a loaded
		// machine from killing f before its timer fires.
		eventually(t, ctxFor(t, 2*time.Minute), "f has taken a snapshot", func() bool {
			if st, err := f.Status(ctx); err == nil && st.LastSnapshotIndex > 0 {
				return true
			}
			write("s", 100)
			return false
		})
		require.NoError(t, f.Kill(ctx))
		ch, err := f.FlipBits(ctx, SnapshotFiles, 1, 0, 7)
		require.NoError(t, err)
		t.Logf("%s", ch)
		require.Equal(t, "refused", after(t, "d", before))
		logs, err := f.Logs(ctx)
		require.NoError(t, err)
		assert.Contains(t, string(logs), "CRC mismatch")
		require.NoError(t, f.Wipe(ctx))
		write("d", 20)
		eventually(t, ctx, "the replaced node catches up", func() bool {
			return readsAs(ctx, fcl, "d19", strings.Repeat("v", 100), api.ReadStale)
		})
	})
}

func tail(b []byte, lines int) string {
	ls := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}
