package chaos

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/raftlab/raftlab/fault"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failpointCases are the failpoint nemeses on a fake whose points are never
// reached: Inject checks each target answers, arms, and Heal disarms
// exactly what was armed.
func failpointCases() []nemesisCase {
	fsm := func(t Target) Failpoint { return Failpoint{Target: t, Point: "fsm-before-commit", Term: "1*panic"} }
	return []nemesisCase{
		{
			name: "failpoint leader", nem: fsm(Leader), nodes: 3, leader: "n2", seed: 1,
			calls: []string{"failpoint n2 fsm-before-commit=1*panic", "leader", "status n2"}, faults: []string{"n2 fp fsm-before-commit=1*panic"},
			kind: "failpoint", value: "n2 fsm-before-commit=1*panic", targ: []string{"n2"}, heal: "heal",
			healed: []string{"failpoint n2 fsm-before-commit=off"},
		},
		{
			name: "failpoint follower", nem: fsm(Follower), nodes: 5, leader: "n2", seed: 1,
			calls: []string{"failpoint n5 fsm-before-commit=1*panic", "leader", "status n5"}, faults: []string{"n5 fp fsm-before-commit=1*panic"},
			kind: "failpoint", value: "n5 fsm-before-commit=1*panic", targ: []string{"n5"}, heal: "heal",
			healed: []string{"failpoint n5 fsm-before-commit=off"},
		},
		{
			name: "failpoint any node", nem: fsm(AnyNode), nodes: 3, leader: "n2", seed: 1,
			calls: []string{"failpoint n1 fsm-before-commit=1*panic", "status n1"}, faults: []string{"n1 fp fsm-before-commit=1*panic"},
			kind: "failpoint", value: "n1 fsm-before-commit=1*panic", targ: []string{"n1"}, heal: "heal",
			healed: []string{"failpoint n1 fsm-before-commit=off"},
		},
		{
			name: "failpoint all nodes", nem: Failpoint{All: true, Point: "readindex-before-confirm", Term: "sleep(300ms)"}, nodes: 3, leader: "n2", seed: 1,
			calls:  []string{"failpoint n1 readindex-before-confirm=sleep(300ms)", "failpoint n2 readindex-before-confirm=sleep(300ms)", "failpoint n3 readindex-before-confirm=sleep(300ms)", "status n1", "status n2", "status n3"},
			faults: []string{"n1 fp readindex-before-confirm=sleep(300ms)", "n2 fp readindex-before-confirm=sleep(300ms)", "n3 fp readindex-before-confirm=sleep(300ms)"},
			kind:   "failpoint", value: "n1 n2 n3 readindex-before-confirm=sleep(300ms)", targ: []string{"n1", "n2", "n3"}, heal: "heal",
			healed: []string{"failpoint n1 readindex-before-confirm=off", "failpoint n2 readindex-before-confirm=off", "failpoint n3 readindex-before-confirm=off"},
		},
		{
			// The leader still has the entries: no snapshot is sent, the
			// follower is alive when the wait ends (one status poll).
			name: "restore crash not reached", nem: RestoreCrash{Wait: 20 * time.Millisecond}, nodes: 3, leader: "n2", seed: 1,
			calls:  []string{"cut n1 <- n3", "cut n2 <- n3", "cut n3 <- n1 n2", "failpoint n3 snapshot-before-restore=1*panic", "leader", "status n3"},
			faults: []string{"n1 cuts n3", "n2 cuts n3", "n3 cuts n1 n2", "n3 fp snapshot-before-restore=1*panic"},
			kind:   "failpoint", value: "n3 snapshot-before-restore=1*panic, cut off", targ: []string{"n3"}, heal: "heal",
			healed: []string{"failpoint n3 snapshot-before-restore=off", "heal n1", "heal n2", "heal n3", "status n3"},
		},
	}
}

func TestFailpointNames(t *testing.T) {
	assert.Equal(t, "failpoint-fsm-before-commit=1*panic-leader", Failpoint{Target: Leader, Point: "fsm-before-commit", Term: "1*panic"}.Name())
	assert.Equal(t, "failpoint-snapshot-persist=panic-all", Failpoint{All: true, Point: "snapshot-persist", Term: "panic"}.Name())
	assert.Equal(t, "failpoint-restore-follower", RestoreCrash{}.Name())
}

// A panic term on a point the node reaches crashes it; Heal finds it down,
// starts it (no disarm possible: the process is gone) and says so.
func TestFailpointCrashIsStartedAtHeal(t *testing.T) {
	ctx := context.Background()
	c := newFake(3, "n2")
	c.fpReached = map[string]bool{"fsm-before-commit": true}
	f, err := Failpoint{Target: Leader, Point: "fsm-before-commit", Term: "1*panic"}.Inject(ctx, c, rand.New(rand.NewPCG(1, 0)))
	require.NoError(t, err)
	assert.Equal(t, []string{"n2 crashed"}, c.Faults())

	c.calls = nil
	require.NoError(t, f.Heal(ctx))
	assert.Equal(t, []string{"failpoint n2 fsm-before-commit=off", "start n2"}, c.Calls())
	assert.Empty(t, c.Faults())
	assert.Equal(t, "start", string(f.HealKind))
	assert.True(t, f.Crashed("n2"), f.Detail)
	assert.Contains(t, f.Detail, "n2 down at heal (crashed at fsm-before-commit), started")
}

// A node that hits the point at once may die before it answers the PUT:
// the fault is in place all the same (the node is down), and Heal starts it.
func TestFailpointCrashBeforeTheAnswer(t *testing.T) {
	ctx := context.Background()
	c := newFake(3, "n2")
	c.fpReached = map[string]bool{"fsm-before-commit": true}
	c.fpLostAnswer = true
	f, err := Failpoint{Target: Leader, Point: "fsm-before-commit", Term: "1*panic"}.Inject(ctx, c, rand.New(rand.NewPCG(1, 0)))
	require.NoError(t, err)
	assert.Equal(t, []string{"n2 crashed"}, c.Faults())
	require.NoError(t, f.Heal(ctx))
	assert.Empty(t, c.Faults())
	assert.True(t, f.Crashed("n2"), f.Detail)
}

// Of several targets, only the crashed ones are started; the others are
// disarmed.
func TestFailpointAllMixedHeal(t *testing.T) {
	ctx := context.Background()
	c := newFake(3, "n2")
	f, err := Failpoint{All: true, Point: "snapshot-persist", Term: "panic"}.Inject(ctx, c, rand.New(rand.NewPCG(1, 0)))
	require.NoError(t, err)
	c.mu.Lock()
	c.proc["n3"] = "crashed" // n3 took a snapshot in the window
	delete(c.fp, "n3")
	c.mu.Unlock()

	c.calls = nil
	require.NoError(t, f.Heal(ctx))
	assert.Equal(t, []string{"failpoint n1 snapshot-persist=off", "failpoint n2 snapshot-persist=off", "failpoint n3 snapshot-persist=off", "start n3"}, c.Calls())
	assert.Empty(t, c.Faults())
	assert.Equal(t, "start", string(f.HealKind))
	assert.False(t, f.Crashed("n1"))
	assert.True(t, f.Crashed("n3"))
}

// The follower crashes when the leader sends it the snapshot after the cuts
// are removed: Heal waits for it to stop answering and starts it.
func TestRestoreCrashStartsTheFollower(t *testing.T) {
	ctx := context.Background()
	c := newFake(3, "n2")
	c.fpReached = map[string]bool{fault.PointSnapshotBeforeRestore: true}
	f, err := RestoreCrash{Wait: 10 * time.Second}.Inject(ctx, c, rand.New(rand.NewPCG(1, 0)))
	require.NoError(t, err)

	c.calls = nil
	require.NoError(t, f.Heal(ctx))
	assert.Equal(t, []string{"failpoint n3 snapshot-before-restore=off", "heal n1", "heal n2", "heal n3", "start n3", "status n3"}, c.Calls())
	assert.Empty(t, c.Faults())
	assert.Equal(t, "start", string(f.HealKind))
	assert.True(t, f.Crashed("n3"), f.Detail)
}

// A failed arm leaves nothing armed; RestoreCrash also removes its cuts.
func TestFailpointArmFails(t *testing.T) {
	boom := errors.New("boom")
	for _, nem := range []Nemesis{
		Failpoint{Target: AnyNode, Point: "fsm-before-commit", Term: "panic"},
		RestoreCrash{},
	} {
		c := newFake(3, "n2")
		c.fail["failpoint"] = boom
		f, err := nem.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 0)))
		assert.ErrorIs(t, err, boom, nem.Name())
		assert.Nil(t, f)
		assert.Empty(t, c.Faults(), nem.Name())
	}
	_, err := Failpoint{Target: AnyNode}.Inject(context.Background(), newFake(3, "n2"), rand.New(rand.NewPCG(1, 0)))
	assert.ErrorContains(t, err, "needs a point and a term")
}
