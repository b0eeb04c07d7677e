package chaos

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/raftlab/raftlab/fault"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nemesisCase is one nemesis against a fake cluster of nodes nodes led by
// leader, with targets drawn from seed: what Inject must call and leave in
// place, the fault it must report, and what Heal must call.
type nemesisCase struct {
	name   string
	nem    Nemesis
	nodes  int
	leader string
	seed   uint64

	calls  []string   // cluster calls made by Inject, sorted
	faults []string   // fault state after Inject (fakeCluster.Faults)
	kind   fault.Kind // Fault.Kind, Value, Targets, HealKind
	value  string
	targ   []string
	heal   fault.Kind
	healed []string // cluster calls made by Heal, sorted
}

var (
	ids3 = []string{"n1", "n2", "n3"}
	ids5 = []string{"n1", "n2", "n3", "n4", "n5"}
)

func nemesisCases() []nemesisCase {
	return append([]nemesisCase{
		{
			name: "kill leader", nem: Kill{Target: Leader}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"kill n2", "leader"}, faults: []string{"n2 killed"},
			kind: "kill", value: "n2", targ: []string{"n2"}, heal: "start", healed: []string{"start n2"},
		},
		{
			name: "kill follower", nem: Kill{Target: Follower}, nodes: 5, leader: "n2", seed: 1,
			calls: []string{"kill n5", "leader"}, faults: []string{"n5 killed"},
			kind: "kill", value: "n5", targ: []string{"n5"}, heal: "start", healed: []string{"start n5"},
		},
		{
			// Any node: the leader is not even asked for.
			name: "kill any node", nem: Kill{Target: AnyNode}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"kill n1"}, faults: []string{"n1 killed"},
			kind: "kill", value: "n1", targ: []string{"n1"}, heal: "start", healed: []string{"start n1"},
		},
		{
			name: "pause leader", nem: Pause{Target: Leader}, nodes: 5, leader: "n2", seed: 1,
			calls: []string{"leader", "pause n2"}, faults: []string{"n2 paused"},
			kind: "pause", value: "n2", targ: []string{"n2"}, heal: "resume", healed: []string{"resume n2"},
		},
		{
			name: "pause any node", nem: Pause{Target: AnyNode}, nodes: 5, leader: "n2", seed: 1,
			calls: []string{"pause n2"}, faults: []string{"n2 paused"},
			kind: "pause", value: "n2", targ: []string{"n2"}, heal: "resume", healed: []string{"resume n2"},
		},
		{
			name: "restart follower", nem: Restart{Target: Follower, Grace: time.Second}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"leader", "stop n3 1s"}, faults: []string{"n3 stopped"},
			kind: "stop", value: "n3", targ: []string{"n3"}, heal: "start", healed: []string{"start n3"},
		},
		{
			name: "restart default grace", nem: Restart{Target: Leader}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"leader", "stop n2 3s"}, faults: []string{"n2 stopped"},
			kind: "stop", value: "n2", targ: []string{"n2"}, heal: "start", healed: []string{"start n2"},
		},
		{
			name: "partition leader", nem: Partition{Shape: Isolate, Target: Leader}, nodes: 3, leader: "n2", seed: 1,
			calls:  []string{"cut n1 <- n2", "cut n2 <- n1 n3", "cut n3 <- n2", "leader"},
			faults: []string{"n1 cuts n2", "n2 cuts n1 n3", "n3 cuts n2"},
			kind:   "partition", value: "n2 | n1 n3", targ: ids3, heal: "heal",
			healed: []string{"heal n1", "heal n2", "heal n3"},
		},
		{
			name: "partition follower", nem: Partition{Shape: Isolate, Target: Follower}, nodes: 5, leader: "n2", seed: 1,
			calls:  []string{"cut n1 <- n5", "cut n2 <- n5", "cut n3 <- n5", "cut n4 <- n5", "cut n5 <- n1 n2 n3 n4", "leader"},
			faults: []string{"n1 cuts n5", "n2 cuts n5", "n3 cuts n5", "n4 cuts n5", "n5 cuts n1 n2 n3 n4"},
			kind:   "partition", value: "n5 | n1 n2 n3 n4", targ: ids5, heal: "heal",
			healed: []string{"heal n1", "heal n2", "heal n3", "heal n4", "heal n5"},
		},
		{
			name: "partition halves", nem: Partition{Shape: Halves}, nodes: 5, leader: "n2", seed: 1,
			calls:  []string{"cut n1 <- n3 n4 n5", "cut n2 <- n3 n4 n5", "cut n3 <- n1 n2", "cut n4 <- n1 n2", "cut n5 <- n1 n2"},
			faults: []string{"n1 cuts n3 n4 n5", "n2 cuts n3 n4 n5", "n3 cuts n1 n2", "n4 cuts n1 n2", "n5 cuts n1 n2"},
			kind:   "partition", value: "n1 n2 | n3 n4 n5", targ: ids5, heal: "heal",
			healed: []string{"heal n1", "heal n2", "heal n3", "heal n4", "heal n5"},
		},
		{
			name: "drop", nem: Drop{Target: AnyNode, Percent: 30}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"drop n1 30"}, faults: []string{"n1 drop 30%"},
			kind: "drop", value: "n1 30%", targ: []string{"n1"}, heal: "heal", healed: []string{"heal n1"},
		},
		{
			name: "stall leader", nem: Stall{Target: Leader}, nodes: 3, leader: "n2", seed: 1,
			calls:  []string{"cut n1 <- n2", "cut n2 <- n1 n3", "cut n3 <- n2", "leader", "pause n2"},
			faults: []string{"n1 cuts n2", "n2 cuts n1 n3", "n2 paused", "n3 cuts n2"},
			kind:   "partition", value: "n2 | n1 n3", targ: []string{"n2", "n1", "n3"}, heal: "heal",
			healed: []string{"heal n1", "heal n2", "heal n3", "resume n2", "status n2"},
		},
		{
			name: "partition minority", nem: Partition{Shape: Minority}, nodes: 5, leader: "n2", seed: 1,
			calls:  []string{"cut n1 <- n2 n4", "cut n2 <- n1 n3 n5", "cut n3 <- n2 n4", "cut n4 <- n1 n3 n5", "cut n5 <- n2 n4"},
			faults: []string{"n1 cuts n2 n4", "n2 cuts n1 n3 n5", "n3 cuts n2 n4", "n4 cuts n1 n3 n5", "n5 cuts n2 n4"},
			kind:   "partition", value: "n2 n4 | n1 n3 n5", targ: ids5, heal: "heal",
			healed: []string{"heal n1", "heal n2", "heal n3", "heal n4", "heal n5"},
		},
		{
			// Ring n2 n1 n4 n5 n3: each node hears its two neighbours.
			name: "partition ring", nem: Partition{Shape: Ring}, nodes: 5, leader: "n2", seed: 1,
			calls:  []string{"cut n1 <- n3 n5", "cut n2 <- n4 n5", "cut n3 <- n1 n4", "cut n4 <- n2 n3", "cut n5 <- n1 n2"},
			faults: []string{"n1 cuts n3 n5", "n2 cuts n4 n5", "n3 cuts n1 n4", "n4 cuts n2 n3", "n5 cuts n1 n2"},
			kind:   "partition", value: "ring n2 n1 n4 n5 n3", targ: ids5, heal: "heal",
			healed: []string{"heal n1", "heal n2", "heal n3", "heal n4", "heal n5"},
		},
		{
			// The bridge has no rule, so Heal leaves it alone.
			name: "partition bridge", nem: Partition{Shape: Bridge}, nodes: 5, leader: "n2", seed: 1,
			calls:  []string{"cut n1 <- n3 n5", "cut n3 <- n1 n4", "cut n4 <- n3 n5", "cut n5 <- n1 n4"},
			faults: []string{"n1 cuts n3 n5", "n3 cuts n1 n4", "n4 cuts n3 n5", "n5 cuts n1 n4"},
			kind:   "partition", value: "n1 n4 | n3 n5 bridged by n2", targ: ids5, heal: "heal",
			healed: []string{"heal n1", "heal n3", "heal n4", "heal n5"},
		},
		{
			name: "bridge on three nodes", nem: Partition{Shape: Bridge}, nodes: 3, leader: "n2", seed: 1,
			calls:  []string{"cut n1 <- n2", "cut n2 <- n1"},
			faults: []string{"n1 cuts n2", "n2 cuts n1"},
			kind:   "partition", value: "n1 | n2 bridged by n3", targ: ids3, heal: "heal",
			healed: []string{"heal n1", "heal n2"},
		},
		{
			name: "leader cannot receive", nem: OneWay{Target: Leader, Dir: Inbound}, nodes: 5, leader: "n2", seed: 1,
			calls: []string{"cut n2 <- n1 n3 n4 n5", "leader"}, faults: []string{"n2 cuts n1 n3 n4 n5"},
			kind: "partition", value: "n1 n3 n4 n5 -x-> n2", targ: []string{"n2"}, heal: "heal",
			healed: []string{"heal n2"},
		},
		{
			name: "leader cannot send", nem: OneWay{Target: Leader, Dir: Outbound}, nodes: 5, leader: "n2", seed: 1,
			calls:  []string{"cut n1 <- n2", "cut n3 <- n2", "cut n4 <- n2", "cut n5 <- n2", "leader"},
			faults: []string{"n1 cuts n2", "n3 cuts n2", "n4 cuts n2", "n5 cuts n2"},
			kind:   "partition", value: "n2 -x-> n1 n3 n4 n5", targ: []string{"n2"}, heal: "heal",
			healed: []string{"heal n1", "heal n3", "heal n4", "heal n5"},
		},
		{
			name: "follower cannot send", nem: OneWay{Target: Follower, Dir: Outbound}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"cut n1 <- n3", "cut n2 <- n3", "leader"}, faults: []string{"n1 cuts n3", "n2 cuts n3"},
			kind: "partition", value: "n3 -x-> n1 n2", targ: []string{"n3"}, heal: "heal",
			healed: []string{"heal n1", "heal n2"},
		},
		{
			name: "limit leader", nem: Limit{Target: Leader, BytesPerSec: 50_000}, nodes: 5, leader: "n2", seed: 1,
			calls: []string{"leader", "limit n2 50000"}, faults: []string{"n2 limit 50000"},
			kind: "limit", value: "n2 50KB/s", targ: []string{"n2"}, heal: "heal", healed: []string{"heal n2"},
		},
		{
			name: "limit any node", nem: Limit{Target: AnyNode, BytesPerSec: 20_000}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"limit n1 20000"}, faults: []string{"n1 limit 20000"},
			kind: "limit", value: "n1 20KB/s", targ: []string{"n1"}, heal: "heal", healed: []string{"heal n1"},
		},
		{
			name: "delay leader", nem: Delay{Target: Leader, Delay: 100 * time.Millisecond}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"delay n2 100ms±0s reorder 0%", "leader"}, faults: []string{"n2 delay 100ms±0s reorder 0%"},
			kind: "delay", value: "n2 100ms±0s reorder 0%", targ: []string{"n2"}, heal: "heal", healed: []string{"heal n2"},
		},
		{
			name: "jitter and reorder on any node", nem: Delay{Target: AnyNode, Delay: 50 * time.Millisecond, Jitter: 40 * time.Millisecond, Reorder: 25}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"delay n1 50ms±40ms reorder 25%"}, faults: []string{"n1 delay 50ms±40ms reorder 25%"},
			kind: "delay", value: "n1 50ms±40ms reorder 25%", targ: []string{"n1"}, heal: "heal", healed: []string{"heal n1"},
		},
	}, append(memberCases(), failpointCases()...)...)
}

// TestNemeses injects every nemesis into a fake cluster: the node it picks
// for the seed, what it calls, the fault it reports, and that Heal undoes
// exactly that and leaves the cluster whole.
func TestNemeses(t *testing.T) {
	for _, tc := range nemesisCases() {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := newFake(tc.nodes, tc.leader)
			f, err := tc.nem.Inject(ctx, c, rand.New(rand.NewPCG(tc.seed, 0)))
			require.NoError(t, err)
			assert.Equal(t, tc.calls, c.Calls(), "calls of Inject")
			assert.Equal(t, tc.faults, c.Faults(), "faults in place")
			assert.Equal(t, tc.nem.Name(), f.Nemesis)
			assert.Equal(t, tc.kind, f.Kind)
			assert.Equal(t, tc.value, f.Value)
			assert.Equal(t, tc.targ, f.Targets)
			assert.Equal(t, tc.heal, f.HealKind)

			c.calls = nil
			require.NoError(t, f.Heal(ctx))
			assert.Equal(t, tc.healed, c.Calls(), "calls of Heal")
			assert.Empty(t, c.Faults(), "faults left after Heal")
			c.calls = nil
			require.NoError(t, f.Heal(ctx))
			assert.Empty(t, c.Calls(), "a second Heal must do nothing")

			// Same seed, same choice.
			c2 := newFake(tc.nodes, tc.leader)
			f2, err := tc.nem.Inject(ctx, c2, rand.New(rand.NewPCG(tc.seed, 0)))
			require.NoError(t, err)
			assert.Equal(t, f.Value, f2.Value)
		})
	}
}

// TestNemesesInSchedule runs each nemesis through a one-window Schedule on
// a fake cluster: the recorder gets the opening and closing events with the
// fault's kind and value, and the cluster is whole at the end.
func TestNemesesInSchedule(t *testing.T) {
	for _, tc := range nemesisCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := Schedule{Nemeses: []Nemesis{tc.nem}, Duration: 120 * time.Millisecond, Quiet: 5 * time.Millisecond, Fault: 20 * time.Millisecond}
			plan := s.Plan(9)
			require.Len(t, plan, 1)
			// What the window's nemesis picks, found on a separate fake.
			want, err := tc.nem.Inject(context.Background(), newFake(tc.nodes, tc.leader), rand.New(rand.NewPCG(plan[0].Seed, 0)))
			require.NoError(t, err)

			c := newFake(tc.nodes, tc.leader)
			rec := &fakeRecorder{start: time.Now()}
			ws, err := s.Run(context.Background(), c, rec, RunOptions{Logger: quiet, Seed: 9, ProbeWait: 10 * time.Millisecond})
			require.NoError(t, err)
			require.Len(t, ws, 1)
			require.NotNil(t, ws[0].Fault, ws[0].Error)
			assert.Equal(t, []string{want.String(), string(want.HealKind) + " " + want.Value}, rec.events)
			assert.Empty(t, c.Faults(), "faults left after the schedule")
		})
	}
}

func TestNemesisErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name   string
		nem    Nemesis
		leader string
		fail   string // verb the fake fails
		want   error
	}{
		{"kill leader without leader", Kill{Target: Leader}, "", "", ErrNoLeader},
		{"pause leader without leader", Pause{Target: Leader}, "", "", ErrNoLeader},
		{"partition leader without leader", Partition{Shape: Isolate, Target: Leader}, "", "", ErrNoLeader},
		{"stall leader without leader", Stall{Target: Leader}, "", "", ErrNoLeader},
		{"kill fails", Kill{Target: AnyNode}, "n1", "kill", boom},
		{"stop fails", Restart{Target: AnyNode}, "n1", "stop", boom},
		{"pause fails", Pause{Target: AnyNode}, "n1", "pause", boom},
		{"cut fails", Partition{Shape: Halves}, "n1", "cut", boom},
		{"drop fails", Drop{Target: AnyNode, Percent: 10}, "n1", "drop", boom},
		{"stall cut fails", Stall{Target: AnyNode}, "n1", "cut", boom},
		{"oneway leader without leader", OneWay{Target: Leader}, "", "", ErrNoLeader},
		{"oneway cut fails", OneWay{Target: AnyNode, Dir: Outbound}, "n1", "cut", boom},
		{"limit leader without leader", Limit{Target: Leader, BytesPerSec: 50_000}, "", "", ErrNoLeader},
		{"limit fails", Limit{Target: AnyNode, BytesPerSec: 50_000}, "n1", "limit", boom},
		{"bridge cut fails", Partition{Shape: Bridge}, "n1", "cut", boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFake(3, tt.leader)
			if tt.fail != "" {
				c.fail[tt.fail] = boom
			}
			f, err := tt.nem.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 0)))
			assert.ErrorIs(t, err, tt.want)
			assert.Nil(t, f)
		})
	}
	// Bad settings and sizes: an error, and nothing touched.
	for _, tt := range []struct {
		nem   Nemesis
		nodes int
		want  string
	}{
		{Partition{Shape: Shape(9)}, 3, "unknown partition shape"},
		{Partition{Shape: Ring}, 3, "at least 4 nodes"},
		{Partition{Shape: Bridge}, 2, "at least 3 nodes"},
		{Partition{Shape: Minority}, 2, "at least 3 nodes"},
		{OneWay{Target: AnyNode, Dir: Direction(5)}, 3, "unknown direction"},
		{Limit{Target: AnyNode}, 3, "0 bytes per second"},
	} {
		c := newFake(tt.nodes, "n1")
		_, err := tt.nem.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 0)))
		assert.ErrorContains(t, err, tt.want, tt.nem.Name())
		assert.Empty(t, c.Faults(), tt.nem.Name())
	}
}

// TestStallHealOrder: the stalled node is thawed while still cut off, asked
// whether it still leads, and only then are the cuts removed.
func TestStallHealOrder(t *testing.T) {
	c := newFake(3, "n2")
	f, err := Stall{Target: Leader, StepDownWait: time.Second}.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 0)))
	require.NoError(t, err)
	c.calls = nil
	require.NoError(t, f.Heal(context.Background()))
	seq := slices.Clone(c.calls)
	resume, status := slices.Index(seq, "resume n2"), slices.Index(seq, "status n2")
	require.True(t, resume >= 0 && status > resume, "calls %v", seq)
	for i, call := range seq {
		if len(call) > 5 && call[:5] == "heal " {
			assert.Greater(t, i, status, "a cut was healed before the node stepped down: %v", seq)
		}
	}
}
