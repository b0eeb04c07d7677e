package node

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

// Every key API answer names its state machine; reads carry the applied
// index they saw, writes the log index they were applied at; a 409 cas the
// index of its entry.
func TestEvidenceHeaders(t *testing.T) {
	nd := startNodes(t, 1)[0]
	ctx := context.Background()
	c := api.NewClient(nd.HTTPAddr())
	inc := nd.fsm.Incarnation()
	require.Len(t, inc, 16)

	set := c.Set(ctx, "k", "1")
	require.Equal(t, api.OK, set.Outcome, "%v", set.Err)
	assert.Positive(t, set.Index)
	assert.Equal(t, inc, set.Incarnation)

	for _, level := range api.ReadLevels {
		get := c.Get(ctx, "k", level)
		require.Equal(t, api.OK, get.Outcome, "%v", get.Err)
		assert.Equal(t, strp("1"), get.Value)
		assert.GreaterOrEqual(t, get.Index, set.Index, "%s read at an index covering the write", level)
		assert.Equal(t, inc, get.Incarnation, level)
	}

	cas := c.CAS(ctx, "k", "1", "2")
	require.Equal(t, api.OK, cas.Outcome, "%v", cas.Err)
	assert.Greater(t, cas.Index, set.Index, "a later entry")
	miss := c.CAS(ctx, "k", "1", "3")
	require.True(t, miss.Mismatch)
	assert.Greater(t, miss.Index, cas.Index, "the 409 names its own entry")
	assert.Equal(t, inc, miss.Incarnation)

	del := c.Delete(ctx, "k")
	require.Equal(t, api.OK, del.Outcome, "%v", del.Err)
	assert.Greater(t, del.Index, miss.Index)
	absent := c.Get(ctx, "k", api.ReadStale)
	require.Equal(t, api.OK, absent.Outcome)
	assert.Nil(t, absent.Value)
	assert.Equal(t, del.Index, absent.Index, "a 404 carries the applied index too: nothing was applied after the delete")

	// The read's index and value come from one transaction: the read at the
	// set's index sees exactly the set.
	assert.Equal(t, uint64(del.Index), nd.fsm.Applied())

	// Errors from the key API name the state machine too (no index).
	resp, err := http.Get("http://" + nd.HTTPAddr() + "/key/k?consistency=eventual")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, inc, resp.Header.Get(api.HeaderIncarnation))
	assert.Empty(t, resp.Header.Get(api.HeaderIndex))
	resp, err = http.Get("http://" + nd.HTTPAddr() + "/status")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Empty(t, resp.Header.Get(api.HeaderIncarnation), "only the key API carries evidence")
}

// A follower's stale read names the follower's state machine; anything it
// forwards (writes, leader and linearizable reads) names the leader's, which
// produced the answer. Indexes are the cluster's log indexes either way.
func TestEvidenceThroughAFollower(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node cluster")
	}
	nodes := startNodes(t, 3)
	leader := leaderOf(t, nodes)
	var follower *Node
	for _, nd := range nodes {
		if nd != leader {
			follower = nd
			break
		}
	}
	incs := map[string]bool{}
	for _, nd := range nodes {
		incs[nd.fsm.Incarnation()] = true
	}
	require.Len(t, incs, 3, "every state machine has its own incarnation")

	ctx := context.Background()
	c := api.NewClient(follower.HTTPAddr())
	set := c.Set(ctx, "k", "v")
	require.Equal(t, api.OK, set.Outcome, "%v", set.Err)
	assert.Equal(t, leader.fsm.Incarnation(), set.Incarnation, "forwarded: the leader applied it for the client")
	for _, level := range []api.ReadLevel{api.ReadLeader, api.ReadLinearizable} {
		r := c.Get(ctx, "k", level)
		require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
		assert.Equal(t, leader.fsm.Incarnation(), r.Incarnation, level)
		assert.GreaterOrEqual(t, r.Index, set.Index, level)
	}
	waitFor(t, 5*time.Second, "the follower applies the write", func() error {
		if follower.fsm.Applied() < uint64(set.Index) {
			return fmt.Errorf("applied %d < %d", follower.fsm.Applied(), set.Index)
		}
		return nil
	})
	r := c.Get(ctx, "k", api.ReadStale)
	require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
	assert.Equal(t, follower.fsm.Incarnation(), r.Incarnation)
	assert.GreaterOrEqual(t, r.Index, set.Index)
	assert.Equal(t, strp("v"), r.Value)
}

// The incarnation lives as long as the data directory: a restart keeps it, a
// wiped data directory or a rebuilt state machine gets a new one.
func TestIncarnationLifetime(t *testing.T) {
	nd := startNodes(t, 1)[0]
	ctx := context.Background()
	require.Equal(t, api.OK, api.NewClient(nd.HTTPAddr()).Set(ctx, "k", "v").Outcome)
	first := nd.fsm.Incarnation()
	require.NoError(t, nd.Close())

	again := restart(t, nd, nil)
	waitReady(t, again)
	assert.Equal(t, first, again.fsm.Incarnation(), "same data directory, same incarnation")
	r := api.NewClient(again.HTTPAddr()).Get(ctx, "k", api.ReadStale)
	require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
	assert.Equal(t, first, r.Incarnation)
	require.NoError(t, again.Close())

	// The data directory lost (the raft directory kept): the state machine
	// is restored from snapshot and log, as a new incarnation.
	require.NoError(t, os.RemoveAll(again.cfg.DataDir))
	wiped := restart(t, again, nil)
	waitReady(t, wiped)
	assert.NotEqual(t, first, wiped.fsm.Incarnation(), "a wiped data directory is a new incarnation")
	assert.False(t, strings.ContainsAny(wiped.fsm.Incarnation(), " \n"))
}

func TestRebuiltStateMachineIsANewIncarnation(t *testing.T) {
	// The state machine alone, as a node's start rebuilds it before raft
	// runs: reset under a running raft would race its applies (badger
	// refuses writes during DropAll), which a node never does.
	dir := t.TempDir()
	f, err := OpenFSM(dir, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	before := f.Incarnation()
	require.NoError(t, f.reset(dir))
	assert.NotEqual(t, before, f.Incarnation())
	got, err := loadIncarnation(dir)
	require.NoError(t, err)
	assert.Equal(t, f.Incarnation(), got, "persisted")
}
