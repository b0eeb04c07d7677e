package node

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

// POST /leader/transfer moves leadership to the named voter, also when sent
// to a follower (forwarded), and refuses bad input with JSON errors.
func TestLeaderTransfer(t *testing.T) {
	nodes := startNodes(t, 3)
	ctx := context.Background()
	leader := leaderOf(t, nodes)
	var follower, other *Node
	for _, nd := range nodes {
		if nd != leader {
			if follower == nil {
				follower = nd
			} else {
				other = nd
			}
		}
	}
	a, err := api.NewClient(follower.HTTPAddr()).TransferLeader(ctx, other.ID())
	require.NoError(t, err)
	assert.Equal(t, leader.ID(), a.From)
	waitFor(t, 10*time.Second, other.ID()+" leads", func() error {
		st, err := api.NewClient(other.HTTPAddr()).Status(ctx)
		if err != nil {
			return err
		}
		if !st.IsLeader() {
			return assert.AnError
		}
		return nil
	})

	// Raft's choice: someone else leads afterwards.
	_, err = api.NewClient(other.HTTPAddr()).TransferLeader(ctx, "")
	require.NoError(t, err)
	waitFor(t, 10*time.Second, "a new leader", func() error {
		if l := leaderOf(t, nodes); l == other {
			return assert.AnError
		}
		return nil
	})

	c := api.NewClient(leaderOf(t, nodes).HTTPAddr())
	_, err = c.TransferLeader(ctx, "n9")
	assert.ErrorContains(t, err, "http 404: no voter \"n9\"")
	_, err = c.TransferLeader(ctx, leaderOf(t, nodes).ID())
	assert.ErrorContains(t, err, "http 409")

	for _, body := range []string{`{"to":`, `{"too":"n2"}`, `[]`} {
		resp, err := http.Post("http://"+follower.HTTPAddr()+"/leader/transfer", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), body)
	}
	resp, err := http.Get("http://" + follower.HTTPAddr() + "/leader/transfer")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	// Writes and reads still work after the transfers.
	require.Equal(t, api.OK, c.Set(ctx, "after", "v").Outcome)
}

// A write refused because a transfer is under way was never appended: a
// definite failure (503, applied false), not an unknown outcome.
func TestTransferInProgressIsDefinite(t *testing.T) {
	e := classifyApplyErr(fmt.Errorf("apply: %w", raft.ErrLeadershipTransferInProgress))
	assert.Equal(t, http.StatusServiceUnavailable, e.Status)
	assert.Equal(t, AppliedNo, e.Applied)
}
