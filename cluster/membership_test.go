package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

// voters counts the voters in n's view of the configuration.
func voters(t *testing.T, st *api.Status) []string {
	t.Helper()
	var ids []string
	for _, m := range st.Members {
		if m.Suffrage == api.SuffrageVoter {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

func TestGrowShrinkLeaveRejoin(t *testing.T) {
	c := startCluster(t, testOptions(t.Name()))
	ctx := ctxFor(t, 4*time.Minute)

	// Grow 3 → 5 mid-run: the new nodes are voters and get the data.
	leader, err := c.Leader(ctx)
	require.NoError(t, err)
	mustSet(t, ctx, leader, "m", "before-grow")
	n4, err := c.AddNode(ctx)
	require.NoError(t, err)
	n5, err := c.AddNode(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"n4", "n5"}, []string{n4.ID(), n5.ID()})
	require.Len(t, c.Nodes(), 5)
	st, err := n5.Status(ctx)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"n1", "n2", "n3", "n4", "n5"}, voters(t, st))
	for _, n := range []*Node{n4, n5} {
		cl := nodeClient(t, ctx, n)
		eventually(t, ctx, n.ID()+" gets the data", func() bool { return readsAs(ctx, cl, "m", "before-grow", api.ReadStale) })
	}
	mustSet(t, ctx, n5, "m", "five")
	require.NoError(t, c.WaitReady(ctx))

	// Shrink 5 → 3: members removed through the API, containers and volume gone.
	require.NoError(t, c.RemoveNode(ctx, n5))
	require.NoError(t, c.RemoveNode(ctx, n4))
	require.Len(t, c.Nodes(), 3)
	left := leftoversOf(ctx, c.ID())
	assert.NotContains(t, left, "-n4", "n4's containers and volume are removed")
	assert.NotContains(t, left, "-n5")
	leader, err = c.Leader(ctx)
	require.NoError(t, err)
	st, err = leader.Status(ctx)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"n1", "n2", "n3"}, voters(t, st))
	mustSet(t, ctx, leader, "m", "three")

	// A follower removed while its process runs: no voter, not ready, and no
	// linearizable read answered from its own (now stale) state.
	f := c.Others(leader)[0]
	require.NoError(t, f.Leave(ctx))
	assert.True(t, f.Left())
	mustSet(t, ctx, leader, "m", "after-leave")
	fcl := nodeClient(t, ctx, f)
	eventually(t, ctx, "removed node stops being ready", func() bool { return fcl.Ready(ctx) != nil })
	for range 20 {
		r := fcl.Get(ctx, "m", api.ReadLinearizable)
		if r.Outcome == api.OK {
			require.NotNil(t, r.Value)
			assert.Equal(t, "after-leave", *r.Value, "a removed node answered a linearizable read with stale data")
		}
	}
	lst, err := leader.Status(ctx)
	require.NoError(t, err)
	assert.NotContains(t, voters(t, lst), f.ID())
	// Rejoin: a voter again, with its data, and it catches up.
	require.NoError(t, f.Rejoin(ctx))
	assert.False(t, f.Left())
	eventually(t, ctx, "rejoined node catches up", func() bool { return readsAs(ctx, fcl, "m", "after-leave", api.ReadStale) })

	// A follower removed while cut off never learns it was removed: it still
	// believes it is a voter. Healed, it campaigns, but its peers reject its
	// (pre-)votes, so it never leads, and it answers no linearizable read
	// with stale data.
	leader, err = c.Leader(ctx)
	require.NoError(t, err)
	g := c.Others(leader)[0]
	require.NoError(t, g.Isolate(ctx))
	require.NoError(t, g.Leave(ctx))
	require.NoError(t, g.Heal(ctx))
	gst, err := g.Status(ctx)
	require.NoError(t, err)
	assert.True(t, gst.IsVoter(g.ID()), "the cut-off node missed its removal: %+v", gst.Members)
	mustSet(t, ctx, leader, "m", "after-silent-leave")
	gcl := nodeClient(t, ctx, g)
	// The check below can fail: g's own state is stale, as a stale read shows.
	stale := gcl.Get(ctx, "m", api.ReadStale)
	require.Equal(t, api.OK, stale.Outcome, "stale read on the removed node: %v", stale.Err)
	require.NotNil(t, stale.Value)
	require.NotEqual(t, "after-silent-leave", *stale.Value, "the removed node received a write after its removal")
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		if st, err := g.Status(ctx); err == nil {
			require.NotEqual(t, api.StateLeader, st.State, "a removed node became leader")
		}
		if r := gcl.Get(ctx, "m", api.ReadLinearizable); r.Outcome == api.OK {
			require.NotNil(t, r.Value)
			require.Equal(t, "after-silent-leave", *r.Value, "a removed node answered a linearizable read with stale data")
		}
		time.Sleep(100 * time.Millisecond) // sampling pace over a fixed observation window, not synchronisation
	}
	lst, err = leader.Status(ctx)
	require.NoError(t, err)
	assert.NotContains(t, voters(t, lst), g.ID())
	require.NoError(t, g.Rejoin(ctx))
	eventually(t, ctx, "silently removed node catches up", func() bool { return readsAs(ctx, gcl, "m", "after-silent-leave", api.ReadStale) })

	// The leader removes itself: raft shuts down in it (ShutdownOnRemove),
	// the others elect a leader; Undo (via Recover) restarts and re-adds it.
	leader, err = c.Leader(ctx)
	require.NoError(t, err)
	require.NoError(t, leader.Leave(ctx))
	lcl := nodeClient(t, ctx, leader)
	eventually(t, ctx, "removed leader shuts raft down", func() bool {
		s, err := lcl.Status(ctx)
		return err == nil && s.State == api.StateShutdown
	})
	newLeader, err := c.NewLeader(ctx, leader)
	require.NoError(t, err)
	mustSet(t, ctx, newLeader, "m", "new-leader")
	require.NoError(t, c.Recover(ctx))
	assert.False(t, leader.Left())
	eventually(t, ctx, "old leader catches up after rejoining", func() bool { return readsAs(ctx, lcl, "m", "new-leader", api.ReadStale) })
	st, err = leader.Status(ctx)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"n1", "n2", "n3"}, voters(t, st))
}

func TestKillAllCrashesWithinMilliseconds(t *testing.T) {
	c := shared(t)
	ctx := ctxFor(t, 2*time.Minute)
	leader, err := c.Leader(ctx)
	require.NoError(t, err)
	mustSet(t, ctx, leader, "crash-all", "acked")
	spread, err := c.KillAll(ctx)
	require.NoError(t, err)
	t.Logf("SIGKILL of all %d nodes: kills spread over %s", len(c.Nodes()), spread)
	assert.Less(t, spread, time.Second, "the kills are concurrent")
	for _, n := range c.Nodes() {
		st, err := n.ContainerState(ctx)
		require.NoError(t, err)
		assert.Equal(t, "exited", st)
	}
	begin := time.Now()
	require.NoError(t, c.Recover(ctx))
	t.Logf("all nodes restarted and ready in %s", time.Since(begin).Round(time.Millisecond))
	for _, n := range c.Nodes() {
		cl := nodeClient(t, ctx, n)
		eventually(t, ctx, n.ID()+" still has the acknowledged write", func() bool {
			return readsAs(ctx, cl, "crash-all", "acked", api.ReadLinearizable)
		})
	}
}
