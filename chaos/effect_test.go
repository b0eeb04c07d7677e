package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

// probingFake is the fake cluster as a real one behaves to probes: a
// killed, stopped or paused node does not answer /status, and a link
// answers no probe when either end cut the other off (lossy: drops probes).
type probingFake struct {
	*fakeCluster
	// ignores: faults these nodes shrug off (the injection "succeeds" but
	// nothing happens), as a lost signal or a rule that matches nothing.
	ignores map[string]bool
}

func (p *probingFake) NodeStatus(ctx context.Context, id string) (*api.Status, error) {
	p.mu.Lock()
	proc := p.proc[id]
	p.mu.Unlock()
	if proc != "" && !p.ignores[id] {
		return nil, fmt.Errorf("fake: %s is %s", id, proc)
	}
	return p.fakeCluster.NodeStatus(ctx, id)
}

func (p *probingFake) ProbeLink(_ context.Context, from, to string, count int) (int, int, time.Duration, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ignores[from] || p.ignores[to] {
		return count, count, time.Millisecond, nil
	}
	if slices.Contains(p.cut[from], to) || slices.Contains(p.cut[to], from) {
		return count, 0, 0, nil
	}
	if p.drop[from] > 0 || p.drop[to] > 0 {
		return count, count / 2, time.Millisecond, nil
	}
	return count, count, time.Millisecond, nil
}

func TestProbeEffectSeesFaultsThatTookHold(t *testing.T) {
	for _, n := range []Nemesis{Kill{Target: Leader}, Pause{Target: Follower}, Restart{Target: AnyNode},
		Partition{Target: Leader}, Partition{Shape: Halves}, Drop{Target: Follower, Percent: 30}, CrashAll{}} {
		t.Run(n.Name(), func(t *testing.T) {
			c := &probingFake{fakeCluster: newFake(3, "n1")}
			f, err := n.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 2)))
			require.NoError(t, err)
			e := ProbeEffect(context.Background(), c, f, 200*time.Millisecond)
			assert.True(t, e.Took, "%+v", e)
			assert.True(t, e.Probed, "%+v", e)
			assert.NotEmpty(t, e.Evidence)
		})
	}
}

// A fault whose injection returned no error but changed nothing is seen as
// such: the dishonest path "a failed injection counted as a fault window".
func TestProbeEffectSeesFaultsThatDidNot(t *testing.T) {
	for _, n := range []Nemesis{Kill{Target: Leader}, Pause{Target: Leader}, Partition{Target: Leader}, Drop{Target: Leader, Percent: 30}} {
		t.Run(n.Name(), func(t *testing.T) {
			c := &probingFake{fakeCluster: newFake(3, "n1"), ignores: map[string]bool{"n1": true}}
			f, err := n.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 2)))
			require.NoError(t, err)
			e := ProbeEffect(context.Background(), c, f, 100*time.Millisecond)
			assert.False(t, e.Took, "%+v", e)
			assert.True(t, e.Probed)
			assert.Contains(t, e.Evidence, "n1")
		})
	}
}

func TestNetworkFaultsWithoutAProberAreNotProbed(t *testing.T) {
	c := newFake(3, "n1")
	f, err := Partition{Target: Leader}.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	e := ProbeEffect(context.Background(), c, f, 100*time.Millisecond)
	assert.Equal(t, Effect{Took: true, Evidence: "injected; this cluster cannot probe links"}, e)
}

func TestFailpointEffectIsWhetherATargetCrashedAtThePoint(t *testing.T) {
	f := NewFault("failpoint-x", "failpoint", "n2 fsm-before-commit=1*panic", []string{"n2"}, "heal", nil)
	f.Detail = "n2 alive at heal (did not crash at fsm-before-commit), disarmed"
	e := FailpointEffect(f)
	assert.False(t, e.Took, "a crash point never reached is no fault")
	assert.True(t, e.Probed)
	f.Detail = "n1 down at heal (crashed at fsm-before-commit), started; n2 alive at heal (did not crash at fsm-before-commit), disarmed"
	assert.Equal(t, Effect{Took: true, Probed: true, Evidence: "1 of 2 targets crashed at the point"}, FailpointEffect(f))
	f = NewFault("failpoint-x", "failpoint", "n2 fsm-before-commit=sleep(10ms)", []string{"n2"}, "heal", nil)
	f.Detail = "n2 alive at heal (did not crash at fsm-before-commit), disarmed"
	assert.False(t, FailpointEffect(f).Probed, "a sleep leaves no trace to probe")
}

func TestFullStrengthNeedsEveryNodeOneLeaderAndTheCommittedApplied(t *testing.T) {
	st := func(leader, state string, commit, applied uint64) *api.Status {
		return &api.Status{LeaderID: leader, State: state, CommitIndex: commit, AppliedIndex: applied}
	}
	whole := map[string]*api.Status{"n1": st("n1", api.StateLeader, 10, 10), "n2": st("n1", api.StateFollower, 9, 10), "n3": st("n1", api.StateFollower, 10, 10)}
	ok, target := fullStrength(whole, 0)
	assert.True(t, ok)
	assert.Equal(t, uint64(10), target)
	lagging := map[string]*api.Status{"n1": st("n1", api.StateLeader, 10, 10), "n2": st("n1", api.StateFollower, 9, 7), "n3": st("n1", api.StateFollower, 10, 10)}
	ok, target = fullStrength(lagging, 0)
	assert.False(t, ok, "n2 has not applied what the leader committed")
	assert.Equal(t, uint64(10), target)
	down := map[string]*api.Status{"n1": st("n1", api.StateLeader, 10, 10), "n2": nil, "n3": st("n1", api.StateFollower, 10, 10)}
	ok, _ = fullStrength(down, 0)
	assert.False(t, ok, "a node does not answer")
	split := map[string]*api.Status{"n1": st("n1", api.StateLeader, 10, 10), "n2": st("n2", api.StateLeader, 10, 10)}
	ok, _ = fullStrength(split, 0)
	assert.False(t, ok, "two leaders named")
	assert.Equal(t, uint64(7), maxTerm(map[string]*api.Status{"n1": {Term: 7}, "n2": nil, "n3": {Term: 5}}))
}

// A probe cut short by the end of the fault window says so and is not
// taken for a fault that did not take effect.
func TestAProbeOutOfTimeIsNotProbed(t *testing.T) {
	c := &probingFake{fakeCluster: newFake(3, "n1"), ignores: map[string]bool{"n1": true}}
	f, err := Kill{Target: Leader}.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	e := ProbeEffect(ctx, c, f, time.Second)
	assert.True(t, e.Took)
	assert.False(t, e.Probed)
	assert.Contains(t, e.Evidence, "did not finish within the fault window")
}
