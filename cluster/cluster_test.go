package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func nodeClient(t *testing.T, ctx context.Context, n *Node) *api.Client {
	t.Helper()
	cl, err := n.Client(ctx, api.WithTimeout(3*time.Second))
	require.NoError(t, err)
	return cl
}

// mustSet writes through n and requires it to be acknowledged within 10 s.
// A failed or unknown attempt is retried with the same value (so retries are
// idempotent): on 2 busy cores a heartbeat can be late and an election
// interrupt one write, which is an availability blip, not what these tests
// are about.
func mustSet(t *testing.T, ctx context.Context, n *Node, k, v string) {
	t.Helper()
	cl := nodeClient(t, ctx, n)
	var r api.Result
	deadline := time.Now().Add(10 * time.Second)
	for attempt := 1; ; attempt++ {
		if r = cl.Set(ctx, k, v); r.Outcome == api.OK {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		t.Logf("set %s=%s via %s: attempt %d: %s: %v (retrying)", k, v, n, attempt, r.Outcome, r.Err)
		time.Sleep(100 * time.Millisecond) // retry pacing, not synchronisation
	}
	require.Equal(t, api.OK, r.Outcome, "set %s=%s via %s: %v", k, v, n, r.Err)
}

// eventually waits until f holds, failing with msg after the deadline.
func eventually(t *testing.T, ctx context.Context, msg string, f func() bool) {
	t.Helper()
	if err := poll(ctx, 50*time.Millisecond, func() (bool, error) { return f(), nil }); err != nil {
		t.Fatalf("%s: %v", msg, err)
	}
}

// readsAs reports whether a read of k at level on n returns want.
func readsAs(ctx context.Context, cl *api.Client, k, want string, level api.ReadLevel) bool {
	r := cl.Get(ctx, k, level)
	return r.Outcome == api.OK && r.Value != nil && *r.Value == want
}

func TestReadWriteOnEveryNode(t *testing.T) {
	c := shared(t)
	ctx := ctxFor(t, time.Minute)
	for i, n := range c.Nodes() {
		k, v := fmt.Sprintf("rw-%d", i), fmt.Sprintf("v-%s", n)
		mustSet(t, ctx, n, k, v) // followers forward to the leader
		for _, m := range c.Nodes() {
			cl := nodeClient(t, ctx, m)
			r := cl.Get(ctx, k, api.ReadLinearizable)
			require.Equal(t, api.OK, r.Outcome, "linearizable read on %s: %v", m, r.Err)
			require.NotNil(t, r.Value)
			assert.Equal(t, v, *r.Value, "linearizable read on %s", m)
			eventually(t, ctx, "stale read on "+m.ID(), func() bool { return readsAs(ctx, cl, k, v, api.ReadStale) })
		}
	}
	r := nodeClient(t, ctx, c.Nodes()[1]).Delete(ctx, "rw-0")
	require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
	r = nodeClient(t, ctx, c.Nodes()[2]).Get(ctx, "rw-0", api.ReadLinearizable)
	require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
	assert.Nil(t, r.Value, "deleted key still readable")
}

func TestKillLeaderElectsAnotherAndLosesNothing(t *testing.T) {
	c := shared(t)
	ctx := ctxFor(t, 2*time.Minute)
	old, err := c.Leader(ctx)
	require.NoError(t, err)
	var acked []string
	for i := range 20 {
		k := fmt.Sprintf("kill-%d", i)
		mustSet(t, ctx, c.Others(old)[i%2], k, "v"+k)
		acked = append(acked, k)
	}
	require.NoError(t, old.Kill(ctx))
	st, err := old.ContainerState(ctx)
	require.NoError(t, err)
	require.Equal(t, "exited", st)

	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	leader, err := c.NewLeader(lctx, old)
	require.NoError(t, err)

	cl := nodeClient(t, ctx, leader)
	for _, k := range acked {
		r := cl.Get(ctx, k, api.ReadLinearizable)
		require.Equal(t, api.OK, r.Outcome, "%s: %v", k, r.Err)
		require.NotNil(t, r.Value, "acknowledged write %s lost", k)
		assert.Equal(t, "v"+k, *r.Value)
	}
	mustSet(t, ctx, leader, "kill-after", "x")

	require.NoError(t, old.Start(ctx))
	require.NoError(t, old.WaitReady(ctx))
	ocl := nodeClient(t, ctx, old)
	eventually(t, ctx, "restarted old leader catches up", func() bool { return readsAs(ctx, ocl, "kill-after", "x", api.ReadStale) })
}

func TestIsolatedLeaderLosesWritesMajorityContinues(t *testing.T) {
	c := shared(t)
	ctx := ctxFor(t, 2*time.Minute)
	old, err := c.Leader(ctx)
	require.NoError(t, err)
	mustSet(t, ctx, old, "iso", "before")

	require.NoError(t, old.Isolate(ctx))
	// A write through the isolated leader must not be acknowledged.
	r := nodeClient(t, ctx, old).Set(ctx, "iso", "minority")
	assert.NotEqual(t, api.OK, r.Outcome, "write on the isolated leader was acknowledged (status %d)", r.Status)
	t.Logf("write on isolated leader: %v (status %d): %v", r.Outcome, r.Status, r.Err)

	// The majority elects a new leader and keeps writing.
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	leader, err := c.NewLeader(lctx, old)
	require.NoError(t, err)
	mustSet(t, ctx, leader, "iso", "majority")

	// The test process still reaches the isolated node: faults spare the gateway.
	st, err := old.Status(ctx)
	require.NoError(t, err, "isolated node unreachable from the test process")
	t.Logf("isolated old leader: state %s term %d leader %q", st.State, st.Term, st.LeaderID)

	require.NoError(t, old.Heal(ctx))
	ocl := nodeClient(t, ctx, old)
	eventually(t, ctx, "old leader steps down and follows the new one", func() bool {
		st, err := old.Status(ctx)
		return err == nil && st.State == "Follower" && st.LeaderID != "" && st.LeaderID != old.ID()
	})
	eventually(t, ctx, "old leader converges", func() bool { return readsAs(ctx, ocl, "iso", "majority", api.ReadStale) })
}

func TestPausedFollowerDoesNotStopWrites(t *testing.T) {
	c := shared(t)
	ctx := ctxFor(t, 2*time.Minute)
	leader, err := c.Leader(ctx)
	require.NoError(t, err)
	f := c.Others(leader)[0]
	require.NoError(t, f.Pause(ctx))
	st, err := f.ContainerState(ctx)
	require.NoError(t, err)
	require.Equal(t, "paused", st)
	for i := range 10 {
		mustSet(t, ctx, leader, "pause", fmt.Sprint(i))
	}
	require.NoError(t, f.Resume(ctx))
	fcl := nodeClient(t, ctx, f)
	eventually(t, ctx, "resumed follower catches up", func() bool { return readsAs(ctx, fcl, "pause", "9", api.ReadStale) })

	// A frozen node can be killed, and starts again.
	require.NoError(t, f.Pause(ctx))
	require.NoError(t, f.Kill(ctx))
	st, err = f.ContainerState(ctx)
	require.NoError(t, err)
	require.Equal(t, "exited", st)
	require.NoError(t, f.Start(ctx))
	require.NoError(t, f.WaitReady(ctx))
}

func TestRestartedNodeKeepsItsData(t *testing.T) {
	c := shared(t)
	ctx := ctxFor(t, 2*time.Minute)
	leader, err := c.Leader(ctx)
	require.NoError(t, err)
	f := c.Others(leader)[0]
	mustSet(t, ctx, leader, "durable", "yes")
	fcl := nodeClient(t, ctx, f)
	eventually(t, ctx, "follower has the write", func() bool { return readsAs(ctx, fcl, "durable", "yes", api.ReadStale) })

	// Crash it, cut it off from its peers while it is down (the rules live in
	// the holder's namespace, so they hold across the restart), and start it:
	// whatever it serves now comes from its own disk.
	require.NoError(t, f.Kill(ctx))
	require.NoError(t, f.Isolate(ctx))
	require.NoError(t, f.Start(ctx))
	eventually(t, ctx, "restarted isolated node serves its own data", func() bool {
		return readsAs(ctx, fcl, "durable", "yes", api.ReadStale)
	})
	require.NoError(t, f.Heal(ctx))

	// A graceful restart keeps the IP, the port and the membership.
	ep, err := f.Endpoint(ctx)
	require.NoError(t, err)
	require.NoError(t, f.Restart(ctx, 5*time.Second))
	require.NoError(t, f.WaitReady(ctx))
	ep2, err := f.Endpoint(ctx)
	require.NoError(t, err)
	assert.Equal(t, ep, ep2, "the published endpoint moved across a restart")
	assert.True(t, readsAs(ctx, fcl, "durable", "yes", api.ReadStale))
}

func TestPacketLossRuleDropsAndHealRemovesIt(t *testing.T) {
	c := shared(t)
	ctx := ctxFor(t, 2*time.Minute)
	a, b := c.Nodes()[1], c.Nodes()[2]
	const n = 400
	clean, err := a.Probe(ctx, b, n)
	require.NoError(t, err)
	require.GreaterOrEqual(t, clean.Received, n*97/100, "probe loses packets without any rule")

	require.NoError(t, a.Drop(ctx, 30))
	lossy, err := a.Probe(ctx, b, n)
	require.NoError(t, err)
	fs, err := a.Faults(ctx)
	require.NoError(t, err)
	t.Logf("30%% drop on %s: %d of %d echoes came back; rules %d, dropped %d", a, lossy.Received, n, fs.Rules, fs.DroppedPackets)
	// Each echo crosses the rules twice (out and back): about 49% survive.
	assert.Greater(t, lossy.Received, n*25/100)
	assert.Less(t, lossy.Received, n*75/100)
	assert.True(t, fs.Table)
	assert.Positive(t, fs.DroppedPackets)
	// The cluster still makes progress through 30% loss on one node. A
	// single write may still fail (if the lossy node leads, it can lose
	// leadership mid-commit), so the check is that writes get through.
	eventually(t, ctx, "a write commits despite 30% loss on "+a.String(), func() bool {
		leader, err := c.Leader(ctx)
		if err != nil {
			return false
		}
		return nodeClient(t, ctx, leader).Set(ctx, "lossy", "ok").Outcome == api.OK
	})

	require.NoError(t, a.Limit(ctx, 256<<10))
	fs, err = a.Faults(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tbf", fs.Qdisc)
	assert.EqualValues(t, 256<<10, fs.RateBytes)

	require.NoError(t, a.Heal(ctx))
	fs, err = a.Faults(ctx)
	require.NoError(t, err)
	assert.Equal(t, FaultState{}, fs, "heal left rules behind")
	healed, err := a.Probe(ctx, b, n)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, healed.Received, n*97/100, "packets still lost after heal")
}

func TestOneWayCut(t *testing.T) {
	c := shared(t)
	ctx := ctxFor(t, time.Minute)
	a, b := c.Nodes()[0], c.Nodes()[1]
	require.NoError(t, a.Cut(ctx, []*Node{b}, Inbound))
	r, err := b.Probe(ctx, a, 50)
	require.NoError(t, err)
	assert.Zero(t, r.Received, "inbound cut let packets in")
	r, err = c.Nodes()[2].Probe(ctx, a, 50)
	require.NoError(t, err)
	assert.Equal(t, 50, r.Received, "cut hit a node it does not name")
	require.NoError(t, a.Heal(ctx))
	r, err = b.Probe(ctx, a, 50)
	require.NoError(t, err)
	assert.Equal(t, 50, r.Received)

	// Partition {n1} | {n2 n3}: no packet crosses, both sides keep talking inside.
	c3 := c.Nodes()[2]
	require.NoError(t, c.Partition(ctx, []*Node{a}, []*Node{b, c3}))
	for _, p := range [][2]*Node{{a, b}, {b, a}, {c3, a}} {
		r, err := p[0].Probe(ctx, p[1], 20)
		require.NoError(t, err)
		assert.Zero(t, r.Received, "%s reached %s across the partition", p[0], p[1])
	}
	r, err = b.Probe(ctx, c3, 20)
	require.NoError(t, err)
	assert.Equal(t, 20, r.Received, "partition cut inside a group")
	require.NoError(t, c.HealNetwork(ctx))
}

func TestWipedNodeRejoinsCleanly(t *testing.T) {
	c := shared(t)
	ctx := ctxFor(t, 2*time.Minute)
	leader, err := c.Leader(ctx)
	require.NoError(t, err)
	mustSet(t, ctx, leader, "wipe", "kept")
	// Wipe n1, the node that bootstrapped: a wiped node that bootstrapped
	// again would form a cluster of its own.
	w := c.Nodes()[0]
	before, err := w.Status(ctx)
	require.NoError(t, err)
	require.NoError(t, w.Wipe(ctx))

	wcl := nodeClient(t, ctx, w)
	eventually(t, ctx, "wiped node receives the data again", func() bool { return readsAs(ctx, wcl, "wipe", "kept", api.ReadStale) })
	leader, err = c.Leader(ctx)
	require.NoError(t, err)
	st, err := w.Status(ctx)
	require.NoError(t, err)
	assert.Equal(t, leader.ID(), st.LeaderID, "wiped node follows another leader")
	assert.GreaterOrEqual(t, st.Term, before.Term)
	voters := 0
	for _, m := range st.Members {
		if m.Suffrage == "Voter" {
			voters++
		}
	}
	assert.Equal(t, 3, voters, "members after wipe: %+v", st.Members)
	assert.True(t, st.IsVoter(w.ID()))
	mustSet(t, ctx, w, "wipe", "after")
	for _, n := range c.Nodes() {
		cl := nodeClient(t, ctx, n)
		eventually(t, ctx, n.ID()+" converges", func() bool { return readsAs(ctx, cl, "wipe", "after", api.ReadStale) })
	}

	// Wiping the leader: the others elect a new one, which removes it and lets it rejoin.
	leader, err = c.Leader(ctx)
	require.NoError(t, err)
	require.NoError(t, leader.Wipe(ctx))
	lcl := nodeClient(t, ctx, leader)
	eventually(t, ctx, "wiped leader receives the data again", func() bool { return readsAs(ctx, lcl, "wipe", "after", api.ReadStale) })
	st, err = leader.Status(ctx)
	require.NoError(t, err)
	assert.True(t, st.IsVoter(leader.ID()))
	assert.Len(t, st.Members, 3)
}

func TestSingleNodeCluster(t *testing.T) {
	o := testOptions("single")
	o.Nodes = 1
	o.MemoryBytes = 256 << 20
	c := startCluster(t, o)
	ctx := ctxFor(t, time.Minute)
	n := c.Nodes()[0]
	mustSet(t, ctx, n, "solo", "1")
	l, err := c.Leader(ctx)
	require.NoError(t, err)
	assert.Equal(t, n, l)
	logs, err := n.Logs(ctx)
	require.NoError(t, err)
	t.Logf("%d bytes of node log", len(logs))

	// Close removes a paused node too, and saves its log first.
	require.NoError(t, n.Pause(ctx))
	require.NoError(t, c.Close(ctx))
	_, err = os.Stat(filepath.Join(o.LogDir, "n1.log"))
	assert.NoError(t, err, "node log not saved on Close")
	assert.Empty(t, leftoversOf(ctx, c.ID()))
}

// Unit tests below need no Docker.

func TestStartRejectsSizes(t *testing.T) {
	for _, k := range []int{-1, 8} {
		_, err := Start(context.Background(), Options{Nodes: k})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "1..7")
	}
}

func TestContextTarIsContentAddressed(t *testing.T) {
	files := []imageFile{{"raftkv", []byte("a")}, {"netfault", []byte("b")}}
	_, h1, err := contextTar(files)
	require.NoError(t, err)
	_, h2, err := contextTar(files)
	require.NoError(t, err)
	assert.Equal(t, h1, h2)
	_, h3, err := contextTar([]imageFile{{"raftkv", []byte("a2")}, {"netfault", []byte("b")}})
	require.NoError(t, err)
	assert.NotEqual(t, h1, h3)
}

func TestOwnerLabel(t *testing.T) {
	assert.False(t, ownerDead(owner()), "this process counted as dead")
	parts := strings.Split(owner(), "/")
	require.Len(t, parts, 3)
	assert.True(t, ownerDead(parts[0]+"/999999999/1"))
	assert.False(t, ownerDead("some-other-host/1/1"), "owners on other hosts must be left alone")
}

func TestPublishedHost(t *testing.T) {
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "")
	assert.Equal(t, "127.0.0.1", publishedHost("unix:///var/run/docker.sock"))
	assert.Equal(t, "10.0.0.5", publishedHost("tcp://10.0.0.5:2375"))
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "docker.example")
	assert.Equal(t, "docker.example", publishedHost("unix:///var/run/docker.sock"))
}
