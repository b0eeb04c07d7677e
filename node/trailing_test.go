package node

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

// -snapshot-trailing-logs reaches raft: after a snapshot, the log keeps
// that many entries (raft's TrailingLogs), against the 10240 of the default.
func TestSnapshotTrailingLogsCompactsTheLog(t *testing.T) {
	for _, trailing := range []uint64{0, 2} { // 0: the default
		cfg := fastConfig(t, "n1", t.TempDir(), "")
		cfg.SnapshotTrailingLogs = trailing
		nd, err := Start(cfg)
		require.NoError(t, err)
		t.Cleanup(func() { _ = nd.Close() })
		waitReady(t, nd)
		c := api.NewClient(nd.HTTPAddr())
		for i := range 20 {
			mustSet(t, c, fmt.Sprintf("k%d", i), "v")
		}
		require.NoError(t, nd.Raft().Snapshot().Error())
		first, err := nd.logs.FirstIndex()
		require.NoError(t, err)
		last, err := nd.logs.LastIndex()
		require.NoError(t, err)
		if trailing == 0 {
			assert.Equal(t, uint64(1), first, "default: the whole short log is kept")
		} else {
			assert.Equal(t, last-trailing+1, first, "trailing %d: log [%d, %d]", trailing, first, last)
		}
	}
}
