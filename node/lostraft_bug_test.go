//go:build failpoints

package node

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/bugs"
)

// bug-fsm-ahead-of-log with a lost raft directory: the node starts anyway,
// bootstraps a new cluster, and its state machine skips the new cluster's
// entries at indexes it had applied before: acknowledged writes vanish and
// old data is served.
func TestBugStateMachineAheadOfLogLostRaftDir(t *testing.T) {
	nd := startNodes(t, 1)[0]
	ctx := context.Background()
	c := api.NewClient(nd.HTTPAddr())
	for i := 0; i < 20; i++ {
		require.Equal(t, api.OK, c.Set(ctx, fmt.Sprintf("old%d", i), "v").Outcome)
	}
	require.NoError(t, nd.Close())
	require.NoError(t, os.RemoveAll(nd.cfg.RaftDir))

	again := restart(t, nd, func(c *Config) { c.Failpoints = bugs.StateMachineAheadOK + "=on" })
	waitReady(t, again)
	ac := api.NewClient(again.HTTPAddr())
	require.Equal(t, api.OK, ac.Set(ctx, "new", "v").Outcome, "the write is acknowledged")
	r := ac.Get(ctx, "new", api.ReadLinearizable)
	require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
	assert.Nil(t, r.Value, "an acknowledged write at a reused index was skipped")
	r = ac.Get(ctx, "old0", api.ReadLinearizable)
	require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
	assert.NotNil(t, r.Value, "data of the lost log is still served")
}

// bug-recover-alone: a restarted member that reaches no peer (here the
// only peer's address is unroutable) forces a new one-node cluster and
// accepts writes; the correct store waits for its peers and leads nothing.
func TestBugRecoverAlone(t *testing.T) {
	dialPeer = func(network, addr string, d time.Duration) (net.Conn, error) {
		if addr == "10.255.255.1:9" {
			return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrDeadlineExceeded}
		}
		return net.DialTimeout(network, addr, d)
	}
	t.Cleanup(func() { dialPeer = net.DialTimeout })
	run := func(t *testing.T, failpoints string) *Node {
		nd := startNodes(t, 1)[0]
		ctx := context.Background()
		c := api.NewClient(nd.HTTPAddr())
		require.Equal(t, api.OK, c.Set(ctx, "before", "v").Outcome)
		// A second member nobody can reach: recorded, then added as a voter
		// (the change cannot commit, but the node adopts it at once).
		require.Nil(t, nd.applyCommand(ctx, command{Op: opSetMember, ID: "n9", HTTP: "10.255.255.1:9"}))
		_ = nd.raft.AddVoter("n9", "10.255.255.1:7000", 0, 200*time.Millisecond).Error()
		require.NoError(t, nd.Close())
		return restart(t, nd, func(c *Config) { c.Failpoints = failpoints })
	}
	t.Run("bug", func(t *testing.T) {
		nd := run(t, bugs.RecoverAlone+"=on")
		waitReady(t, nd)
		c := api.NewClient(nd.HTTPAddr())
		assert.Equal(t, api.OK, c.Set(context.Background(), "after", "v").Outcome, "a one-node cluster of its own commits")
	})
	t.Run("correct", func(t *testing.T) {
		nd := run(t, "")
		time.Sleep(2 * aloneAfter) // the time the bug would wait; nothing to synchronise with
		st := nd.Status()
		assert.False(t, st.IsLeader(), "no quorum, no leader")
	})
}
