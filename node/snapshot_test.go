package node

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

// restart starts a closed node again from its directories and addresses,
// with extra changes to its config.
func restart(t *testing.T, nd *Node, mod func(*Config)) *Node {
	t.Helper()
	cfg := nd.cfg
	cfg.HTTPAddr, cfg.RaftAddr = nd.HTTPAddr(), nd.RaftAddr()
	if mod != nil {
		mod(&cfg)
	}
	again, err := Start(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = again.Close() })
	return again
}

// snapshotInstall runs a three-node cluster that compacts its log hard
// (threshold 32, 8 trailing entries), stops a follower, deletes a key and
// writes well past the compaction point while it is down, snapshots the
// leader, and restarts the follower with followerFailpoints: it can only catch
// up by InstallSnapshot. It returns the restarted follower once it has the
// last write, and the leader.
func snapshotInstall(t *testing.T, followerFailpoints string) (follower, leader *Node) {
	nodes := startNodesWith(t, 3, func(c *Config) {
		c.SnapshotThreshold = 32
		c.SnapshotTrailingLogs = 8
	})
	leader = leaderOf(t, nodes)
	var stopped *Node
	for _, nd := range nodes {
		if nd != leader {
			stopped = nd
			break
		}
	}
	lc := api.NewClient(leader.HTTPAddr())
	mustSet(t, lc, "gone", "here")
	waitFor(t, 5*time.Second, "follower has gone", func() error {
		if v, _ := stopped.fsm.Get("gone"); v == nil {
			return fmt.Errorf("not yet")
		}
		return nil
	})
	require.NoError(t, stopped.Close())

	// The two left running; leadership may move between them on a busy
	// machine, so writes are retried and the snapshot taken on whichever
	// leads now (writes to the old leader are forwarded).
	var running []*Node
	for _, nd := range nodes {
		if nd != stopped {
			running = append(running, nd)
		}
	}
	mustDelete(t, lc, "gone")
	for i := 0; i < 100; i++ {
		mustSet(t, lc, fmt.Sprintf("k%03d", i), "v")
	}
	// Both running nodes compact, so whichever leads when the follower
	// returns (leadership may move again) can only send a snapshot.
	for _, nd := range running {
		waitFor(t, 10*time.Second, nd.ID()+" has applied every write", func() error {
			if v, _ := nd.fsm.Get("k099"); v == nil {
				return fmt.Errorf("k099 not applied yet")
			}
			return nil
		})
		if err := nd.Raft().Snapshot().Error(); err != nil && !errors.Is(err, raft.ErrNothingNewToSnapshot) {
			require.NoError(t, err)
		}
		first, err := nd.logs.FirstIndex()
		require.NoError(t, err)
		require.Greater(t, first, stopped.fsm.Applied()+1, "%s no longer holds the entries the follower needs", nd.ID())
	}
	leader = leaderOf(t, running)

	follower = restart(t, stopped, func(c *Config) { c.Failpoints = followerFailpoints })
	waitFor(t, 20*time.Second, "follower catches up", func() error {
		if v, _ := follower.fsm.Get("k099"); v == nil {
			return fmt.Errorf("k099 not applied yet (applied %d)", follower.fsm.Applied())
		}
		return nil
	})
	return follower, leader
}

func TestFollowerCatchesUpByInstallSnapshotAndCountsIt(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node cluster")
	}
	follower, leader := snapshotInstall(t, "")
	ctx := context.Background()

	// Raft records the installed snapshot's index just after the state
	// machine has restored it.
	var fs api.Status
	waitFor(t, 5*time.Second, "follower records the snapshot", func() error {
		var err error
		if fs, err = api.NewClient(follower.HTTPAddr()).Status(ctx); err == nil && fs.LastSnapshotIndex == 0 {
			err = fmt.Errorf("last_snapshot_index 0")
		}
		return err
	})
	assert.Equal(t, uint64(1), fs.SnapshotsInstalled, "caught up by exactly one InstallSnapshot")
	assert.Zero(t, fs.SnapshotRestoresAtStart, "its state machine was not behind its own snapshots")
	assert.Positive(t, fs.LastSnapshotIndex)
	assert.Positive(t, fs.LastSnapshotTerm)

	ls, err := api.NewClient(leader.HTTPAddr()).Status(ctx)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, ls.SnapshotsTaken, uint64(1))
	assert.Zero(t, ls.SnapshotsInstalled, "a leader never installs")
	assert.GreaterOrEqual(t, ls.LastSnapshotIndex, fs.LastSnapshotIndex)

	v, err := follower.fsm.Get("gone")
	require.NoError(t, err)
	assert.Nil(t, v, "the install replaced the old state: the key deleted meanwhile is gone")
}
