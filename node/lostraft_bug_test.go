//go:build failpoints

package node

import (
	"context"
	"fmt"
	"os"
	"testing"

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
