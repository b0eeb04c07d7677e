package node

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

// truncatedLogNode writes k00..k19 on a one-node cluster (a snapshot after
// k09), closes it, and cuts the last five entries (k15..k19) off its raft log
// on disk, as a disk that lost an unsynced tail would: the state machine,
// a separate database, still says it applied them. It returns the node
// restarted with failpoints.
func truncatedLogNode(t *testing.T, failpoints string) *Node {
	nd := startNodes(t, 1)[0]
	c := api.NewClient(nd.HTTPAddr())
	for i := 0; i < 20; i++ {
		mustSet(t, c, fmt.Sprintf("k%02d", i), "old")
		if i == 9 {
			require.NoError(t, nd.Raft().Snapshot().Error())
		}
	}
	applied := nd.fsm.Applied()
	require.NoError(t, nd.Close())

	logs, err := OpenLogStore(filepath.Join(nd.cfg.RaftDir, "store"), nd.logger)
	require.NoError(t, err)
	last, err := logs.LastIndex()
	require.NoError(t, err)
	require.Equal(t, applied, last, "the last entries are the applied sets")
	require.NoError(t, logs.DeleteRange(last-4, last))
	require.NoError(t, logs.Close())

	again := restart(t, nd, func(c *Config) { c.Failpoints = failpoints })
	waitReady(t, again)
	return again
}

// The state machine ahead of the raft log is dropped and rebuilt from the
// snapshot and the log; entries the new term writes at the lost indexes are
// applied, not skipped as "already applied".
func TestStateMachineAheadOfLogIsRebuilt(t *testing.T) {
	nd := truncatedLogNode(t, "")
	ctx := context.Background()
	c := api.NewClient(nd.HTTPAddr())
	// The new term's entries reuse the indexes of k15..k19.
	for i := 0; i < 6; i++ {
		require.Equal(t, api.OK, c.Set(ctx, fmt.Sprintf("new%d", i), "v").Outcome)
	}
	for i := 0; i < 6; i++ {
		r := c.Get(ctx, fmt.Sprintf("new%d", i), api.ReadLinearizable)
		require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
		assert.NotNil(t, r.Value, "new%d acknowledged and applied", i)
	}
	for i := 0; i < 20; i++ {
		v, err := nd.fsm.Get(fmt.Sprintf("k%02d", i))
		require.NoError(t, err)
		if i < 15 {
			assert.NotNil(t, v, "k%02d is in the log", i)
		} else {
			assert.Nil(t, v, "k%02d was lost with the log tail; the state machine follows the log", i)
		}
	}
	st, err := c.Status(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(1), st.StateMachineRebuilds)
	assert.Equal(t, uint64(1), st.SnapshotRestoresAtStart, "rebuilt from the snapshot, then the log")
}

// A raft directory lost while the data directory survived is refused: the
// node would otherwise bootstrap a fresh cluster (or, with -join, vote with a
// forgotten term), and dropping the state machine would not help. The error
// names both directories and the repair; with both directories empty the
// node starts again.
func TestLostRaftDirectoryIsRefused(t *testing.T) {
	nd := startNodes(t, 1)[0]
	c := api.NewClient(nd.HTTPAddr())
	for i := 0; i < 10; i++ {
		mustSet(t, c, fmt.Sprintf("old%d", i), "v")
	}
	require.NoError(t, nd.Close())
	require.NoError(t, os.RemoveAll(nd.cfg.RaftDir))

	cfg := nd.cfg
	cfg.HTTPAddr, cfg.RaftAddr = nd.HTTPAddr(), nd.RaftAddr()
	_, err := Start(cfg)
	require.ErrorIs(t, err, ErrRaftStateLost)
	assert.Regexp(t, `has applied \d+ entries`, err.Error())
	assert.ErrorContains(t, err, nd.cfg.DataDir)
	assert.ErrorContains(t, err, nd.cfg.RaftDir)
	assert.ErrorContains(t, err, "start it with both directories empty")
	_, err = os.Stat(filepath.Join(nd.cfg.DataDir))
	require.NoError(t, err, "the data directory is left as it was, for the operator")

	require.NoError(t, os.RemoveAll(nd.cfg.DataDir))
	again := restart(t, nd, nil)
	waitReady(t, again)
}
