package cluster

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/chaos"
)

// TestChaosShapesOnFiveNodes injects chaos's network shapes into a real
// five-node cluster: the links that must be down are down (UDP echo probes
// between every pair of nodes), the rules sit on exactly the nodes the shape
// names, a write still commits, and Heal restores every link. The shapes
// themselves are unit-tested in package chaos; this shows the rules do what
// the Cuts say.
func TestChaosShapesOnFiveNodes(t *testing.T) {
	o := testOptions("shapes")
	o.Nodes = 5
	c := startCluster(t, o)
	ids := c.NodeIDs()
	const seed = 7
	rng := func() *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

	for _, tc := range []struct {
		nem  chaos.Nemesis
		cuts func(f *chaos.Fault) chaos.Cuts // what the nemesis must have cut
	}{
		{chaos.Partition{Shape: chaos.Ring}, func(*chaos.Fault) chaos.Cuts {
			_, cuts, err := chaos.RingCuts(ids, rng())
			require.NoError(t, err)
			return cuts
		}},
		{chaos.Partition{Shape: chaos.Bridge}, func(*chaos.Fault) chaos.Cuts {
			_, _, _, cuts, err := chaos.BridgeCuts(ids, rng())
			require.NoError(t, err)
			return cuts
		}},
		{chaos.OneWay{Target: chaos.Leader, Dir: chaos.Inbound}, func(f *chaos.Fault) chaos.Cuts {
			cuts, err := chaos.OneWayCuts(ids, f.Targets[0], chaos.Inbound)
			require.NoError(t, err)
			return cuts
		}},
		{chaos.OneWay{Target: chaos.Leader, Dir: chaos.Outbound}, func(f *chaos.Fault) chaos.Cuts {
			cuts, err := chaos.OneWayCuts(ids, f.Targets[0], chaos.Outbound)
			require.NoError(t, err)
			return cuts
		}},
	} {
		t.Run(tc.nem.Name(), func(t *testing.T) {
			healthy(t, c)
			ctx := ctxFor(t, 2*time.Minute)
			begin := time.Now()
			f, err := tc.nem.Inject(ctx, c, rng())
			require.NoError(t, err)
			t.Logf("%s in place after %v", f, time.Since(begin).Round(time.Millisecond))
			cuts := tc.cuts(f)
			assertRulesOn(t, ctx, c, cuts.Nodes())
			assertReach(t, ctx, c, cuts)

			begin = time.Now()
			node := commitSomewhere(t, ctx, c, "shape-"+tc.nem.Name())
			t.Logf("a write committed through %s %v after the probes; views: %s", node, time.Since(begin).Round(time.Millisecond), views(ctx, c))

			require.NoError(t, f.Heal(ctx))
			assertRulesOn(t, ctx, c, nil)
			assertReach(t, ctx, c, chaos.Cuts{})
		})
	}

	t.Run("limit50k-leader", func(t *testing.T) {
		healthy(t, c)
		ctx := ctxFor(t, 2*time.Minute)
		f, err := chaos.Limit{Target: chaos.Leader, BytesPerSec: 50_000}.Inject(ctx, c, rng())
		require.NoError(t, err)
		st, err := c.Node(f.Targets[0]).Faults(ctx)
		require.NoError(t, err)
		assert.Equal(t, "tbf", st.Qdisc)
		assert.Equal(t, uint64(50_000), st.RateBytes)
		begin := time.Now()
		node := commitSomewhere(t, ctx, c, "shape-limit")
		t.Logf("%s: a write committed through %s after %v", f, node, time.Since(begin).Round(time.Millisecond))
		require.NoError(t, f.Heal(ctx))
		st, err = c.Node(f.Targets[0]).Faults(ctx)
		require.NoError(t, err)
		assert.Empty(t, st.Qdisc)
	})
	healthy(t, c)
}

// views renders what each node believes: "n1 Leader/t3 n2 Follower/t3→n1 ...".
func views(ctx context.Context, c *Cluster) string {
	var out []string
	for i, st := range c.Statuses(ctx) {
		id := c.Nodes()[i].ID()
		switch {
		case st == nil:
			out = append(out, id+" ?")
		case st.IsLeader():
			out = append(out, fmt.Sprintf("%s %s/t%d", id, st.State, st.Term))
		default:
			out = append(out, fmt.Sprintf("%s %s/t%d→%s", id, st.State, st.Term, st.LeaderID))
		}
	}
	return strings.Join(out, " ")
}

// assertRulesOn checks that exactly the nodes in want carry drop rules.
func assertRulesOn(t *testing.T, ctx context.Context, c *Cluster, want []string) {
	t.Helper()
	for _, n := range c.Nodes() {
		st, err := n.Faults(ctx)
		require.NoError(t, err)
		assert.Equal(t, contains(want, n.ID()), st.Rules > 0, "%s: %d drop rules", n, st.Rules)
	}
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// assertReach probes every pair of nodes at once. A probe is a round trip
// (a → b, then the echo b → a), so a pair answers iff both links are up.
func assertReach(t *testing.T, ctx context.Context, c *Cluster, cuts chaos.Cuts) {
	t.Helper()
	const count = 3
	nodes := c.Nodes()
	var (
		mu  sync.Mutex
		bad []string
	)
	g, gctx := errgroup.WithContext(ctx)
	for i, a := range nodes {
		for _, b := range nodes[i+1:] {
			g.Go(func() error {
				r, err := a.Probe(gctx, b, count)
				if err != nil {
					return err
				}
				up := cuts.Up(a.ID(), b.ID()) && cuts.Up(b.ID(), a.ID())
				if want := map[bool]int{true: count, false: 0}[up]; r.Received != want {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("%s ⇄ %s: %d of %d echoes, want %d", a, b, r.Received, count, want))
					mu.Unlock()
				}
				return nil
			})
		}
	}
	require.NoError(t, g.Wait())
	assert.Empty(t, bad, "reachability differs from the cuts %v", cuts)
}

// commitSomewhere writes key through each node in turn until one write is
// acknowledged (a majority exists in every shape tested), within 30 s.
func commitSomewhere(t *testing.T, ctx context.Context, c *Cluster, key string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for attempt := 0; ; attempt++ {
		n := c.Nodes()[attempt%len(c.Nodes())]
		cl, err := n.Client(ctx, api.WithTimeout(2*time.Second))
		require.NoError(t, err)
		r := cl.Set(ctx, key, fmt.Sprint(attempt))
		if r.Outcome == api.OK {
			return n.ID()
		}
		if time.Now().After(deadline) {
			t.Fatalf("no write committed within 30 s; last through %s: %s: %v", n, r.Outcome, r.Err)
		}
		time.Sleep(100 * time.Millisecond) // retry pacing, not synchronisation
	}
}
