package etcd

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/system"
)

func TestMain(m *testing.M) {
	// testcontainers' reaper is an image that cannot be pulled here.
	_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	os.Exit(m.Run())
}

// TestCluster starts three etcd members in the lab's pods and exercises
// the client, the status probe and a network fault through the seam.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker")
	}
	// A cold build of etcd takes 2 minutes on a quiet machine and was cut
	// off at 6 beside a chaos campaign: the bound is for a hung build, not
	// a slow one.
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	t0 := time.Now()
	_, err := BuildImage(ctx)
	require.NoError(t, err)
	t.Logf("image ready in %s", time.Since(t0).Round(time.Millisecond))
	c, err := System{}.Start(ctx, system.Config{Nodes: 3, LogDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close(context.WithoutCancel(ctx)) })
	// The started cluster offers exactly the handles Lacks says it has.
	for _, h := range system.Handles() {
		impl, _ := system.Implements(c, h)
		assert.Equal(t, System{}.Lacks(h) == "", impl, "%s: Lacks says %q", h, System{}.Lacks(h))
	}
	net, ok := c.(chaos.Networker)
	require.True(t, ok, "etcd's cluster offers the network faults")

	leader, err := c.LeaderID(ctx)
	require.NoError(t, err)
	kv, err := c.Client(ctx, leader, 3*time.Second)
	require.NoError(t, err)
	cl := kv.(*Client)

	set := cl.SetReply(ctx, "k", "v1")
	require.Equal(t, api.OK, set.Outcome, "%v", set.Err)
	assert.Positive(t, set.Revision)
	assert.NotEmpty(t, set.Member)
	got := cl.GetReply(ctx, "k", api.ReadLinearizable)
	require.Equal(t, api.OK, got.Outcome, "%v", got.Err)
	require.NotNil(t, got.Value)
	assert.Equal(t, "v1", *got.Value)
	assert.GreaterOrEqual(t, got.Revision, set.Revision)

	r := cl.CAS(ctx, "k", "nope", "v2")
	assert.Equal(t, api.Fail, r.Outcome)
	assert.True(t, r.Mismatch)
	require.NotNil(t, r.Value)
	assert.Equal(t, "v1", *r.Value, "a failed cas reports what it found")
	assert.Equal(t, api.OK, cl.CAS(ctx, "k", "v1", "v2").Outcome)
	assert.Equal(t, api.OK, cl.Delete(ctx, "k").Outcome)
	got = cl.GetReply(ctx, "k", api.ReadStale)
	assert.Equal(t, api.OK, got.Outcome)
	assert.Nil(t, got.Value)
	r = cl.CAS(ctx, "k", "", "v3")
	assert.Equal(t, api.Fail, r.Outcome, "an absent key equals no value")
	assert.Nil(t, r.Value)

	st, err := c.NodeStatus(ctx, leader)
	require.NoError(t, err)
	assert.True(t, st.IsLeader())
	assert.Len(t, st.Members, 3)

	// Cut the leader off: the others elect a new one; the old leader's
	// serializable reads still answer, its linearizable reads do not.
	ids := c.NodeIDs()
	var others []string
	for _, id := range ids {
		if id != leader {
			others = append(others, id)
		}
	}
	require.NoError(t, net.CutFrom(ctx, leader, others))
	for _, o := range others {
		require.NoError(t, net.CutFrom(ctx, o, []string{leader}))
	}
	deadline, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	var newLeader string
	for deadline.Err() == nil {
		if l, err := c.LeaderID(deadline); err == nil && l != leader {
			newLeader = l
			break
		}
	}
	require.NotEmpty(t, newLeader, "no new leader after the cut")
	stale := cl.Get(ctx, "k", api.ReadStale)
	assert.Equal(t, api.OK, stale.Outcome, "a serializable read answers from a cut-off member")
	lin := cl.Get(ctx, "k", api.ReadLinearizable)
	assert.Equal(t, api.Fail, lin.Outcome, "a linearizable read needs a quorum")
	w := cl.Set(ctx, "k", "lost?")
	assert.Equal(t, api.Unknown, w.Outcome, "a write that timed out may still be applied")

	require.NoError(t, c.HealAll(ctx))
	require.NoError(t, c.WaitReady(ctx))
	_ = cluster.HTTPPort

	membershipAndTransfer(ctx, t, c)
}

// membershipAndTransfer moves leadership with MoveLeader, removes a member
// through etcd's member API and adds it back (a new member id: a new
// incarnation), and grows and shrinks the cluster, each change seen in
// etcd's own member list.
func membershipAndTransfer(ctx context.Context, t *testing.T, c system.Cluster) {
	tr, ok := c.(chaos.LeaderTransferer)
	require.True(t, ok, "etcd's cluster offers leader transfer")
	mem, ok := c.(chaos.Members)
	require.True(t, ok, "etcd's cluster offers membership")
	// A member's list is its own applied configuration: a follower may
	// lag the change for a moment, so the count is waited for.
	members := func(via string, want int) {
		waitFor(ctx, t, fmt.Sprintf("%d members in %s's list", want, via), func() bool {
			st, err := c.NodeStatus(ctx, via)
			return err == nil && len(st.Members) == want
		})
	}

	old, err := c.LeaderID(ctx)
	require.NoError(t, err)
	var follower string
	for _, id := range c.NodeIDs() {
		if id != old {
			follower = id
			break
		}
	}
	// etcd refuses or times out a transfer to a member still catching up
	// (this one may be the leader cut off above): retried, with a deadline.
	var to string
	waitFor(ctx, t, "a leadership transfer asked through a follower", func() bool {
		var err error
		if to, err = tr.TransferLeader(ctx, follower, follower); err != nil {
			t.Logf("transfer: %v (retrying)", err)
			return false
		}
		return true
	})
	assert.Equal(t, follower, to)
	waitFor(ctx, t, "the new leader agreed on", func() bool { l, err := c.LeaderID(ctx); return err == nil && l == follower })

	// Remove the old leader (now a follower) and add it back empty.
	kv, err := c.Client(ctx, old, 3*time.Second)
	require.NoError(t, err)
	before := kv.(*Client).GetReply(ctx, "k", api.ReadStale).Member
	require.NoError(t, mem.RemoveMember(ctx, old))
	members(follower, 2)
	require.NoError(t, mem.AddMember(ctx, old))
	require.NoError(t, c.WaitReady(ctx))
	members(follower, 3)
	kv, err = c.Client(ctx, old, 3*time.Second)
	require.NoError(t, err)
	after := kv.(*Client).GetReply(ctx, "k", api.ReadStale)
	require.Equal(t, api.OK, after.Outcome, "%v", after.Err)
	assert.NotEqual(t, before, after.Member, "a member added back is a new member")

	// Grow by one voter and shrink back.
	id, err := mem.GrowNode(ctx)
	require.NoError(t, err)
	members(follower, 4)
	require.NoError(t, mem.ShrinkNode(ctx, id))
	members(follower, 3)
	require.NoError(t, c.WaitReady(ctx))
}

// waitFor polls cond until it holds or a minute passes.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-wctx.Done():
			t.Fatalf("waiting for %s: %v", what, wctx.Err())
		case <-tick.C:
		}
	}
}
