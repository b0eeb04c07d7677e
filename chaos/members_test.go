package chaos

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memberCases are the membership, whole-cluster and disk nemeses in
// TestNemeses' table (RollingRestart, whose calls run in the background,
// has its own tests below).
func memberCases() []nemesisCase {
	return []nemesisCase{
		{
			name: "member-remove leader", nem: MemberRemove{Target: Leader}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"leader", "remove-member n2"}, faults: []string{"n2 removed"},
			kind: "member-remove", value: "n2", targ: []string{"n2"}, heal: "member-add", healed: []string{"add-member n2"},
		},
		{
			name: "member-remove follower", nem: MemberRemove{Target: Follower}, nodes: 5, leader: "n2", seed: 1,
			calls: []string{"leader", "remove-member n5"}, faults: []string{"n5 removed"},
			kind: "member-remove", value: "n5", targ: []string{"n5"}, heal: "member-add", healed: []string{"add-member n5"},
		},
		{
			name: "member-replace", nem: MemberReplace{Target: AnyNode}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"destroy n1"}, faults: []string{"n1 destroyed"},
			kind: "wipe", value: "n1", targ: []string{"n1"}, heal: "member-add", healed: []string{"replace n1"},
		},
		{
			name: "grow-shrink 3 to 5", nem: GrowShrink{}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"grow", "grow"}, faults: []string{"n4 grown", "n5 grown"},
			kind: "grow", value: "n4 n5", targ: []string{"n4", "n5"}, heal: "shrink", healed: []string{"shrink n4", "shrink n5"},
		},
		{
			name: "crash-all", nem: CrashAll{}, nodes: 5, leader: "n2", seed: 1,
			calls:  []string{"kill-nodes n1 n2 n3 n4 n5"},
			faults: []string{"n1 killed", "n2 killed", "n3 killed", "n4 killed", "n5 killed"},
			kind:   "crash", value: "n1 n2 n3 n4 n5", targ: ids5, heal: "start",
			healed: []string{"start n1", "start n2", "start n3", "start n4", "start n5"},
		},
		{
			name: "kill-majority of 3", nem: KillMajority{}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"kill-nodes n1 n3"}, faults: []string{"n1 killed", "n3 killed"},
			kind: "kill", value: "n1 n3", targ: []string{"n1", "n3"}, heal: "start", healed: []string{"start n1", "start n3"},
		},
		{
			name: "kill-majority of 5", nem: KillMajority{}, nodes: 5, leader: "n2", seed: 1,
			calls: []string{"kill-nodes n1 n2 n4"}, faults: []string{"n1 killed", "n2 killed", "n4 killed"},
			kind: "kill", value: "n1 n2 n4", targ: []string{"n1", "n2", "n4"}, heal: "start",
			healed: []string{"start n1", "start n2", "start n4"},
		},
		{
			name: "disk-truncate follower", nem: DiskTruncate{Target: Follower}, nodes: 3, leader: "n2", seed: 1,
			calls:  []string{"kill n3", "leader", "truncate n3 raft-log 8192 0.5"},
			faults: []string{"n3 killed", "n3 raft-log truncated"},
			kind:   "truncate", value: "n3", targ: []string{"n3"}, heal: "start", healed: []string{"start n3", "status n3"},
		},
		{
			name: "bitflip snapshot of the leader", nem: BitFlip{Target: Leader, File: FileSnapshot}, nodes: 3, leader: "n2", seed: 1,
			calls:  []string{"flip n2 snapshot 1 0", "kill n2", "leader"},
			faults: []string{"n2 killed", "n2 snapshot flipped"},
			kind:   "bitflip", value: "n2 snapshot", targ: []string{"n2"}, heal: "start", healed: []string{"start n2", "status n2"},
		},
		{
			name: "bitflip raft log, second half", nem: BitFlip{Target: AnyNode, File: FileRaftLog, Bits: 3, From: 0.5}, nodes: 3, leader: "n2", seed: 1,
			calls:  []string{"flip n1 raft-log 3 0.5", "kill n1"},
			faults: []string{"n1 killed", "n1 raft-log flipped"},
			kind:   "bitflip", value: "n1 raft-log", targ: []string{"n1"}, heal: "start", healed: []string{"start n1", "status n1"},
		},
		{
			// Every node crashes; the liars come back with short logs and
			// elect a leader while the honest node stays down.
			name: "disk-lies", nem: DiskLies{}, nodes: 3, leader: "n2", seed: 1,
			calls: []string{"kill-nodes n1 n2 n3", "leader", "start n1", "start n3", "status n1", "status n3",
				"truncate n1 raft-log 16384 0.5", "truncate n1 state-machine 16384 0.5",
				"truncate n3 raft-log 16384 0.5", "truncate n3 state-machine 16384 0.5"},
			faults: []string{"n2 killed"},
			kind:   "disk-lies", value: "n1 n3", targ: []string{"n1", "n3", "n2"}, heal: "start", healed: []string{"start n2"},
		},
	}
}

// TestDiskNemesisReplacesANodeThatRefusesToStart: a store that detects the
// damage and exits is replaced by an empty node, and the closing event says
// so.
func TestDiskNemesisReplacesANodeThatRefusesToStart(t *testing.T) {
	wait := 300 * time.Millisecond
	for _, nem := range []Nemesis{DiskTruncate{Target: Follower, StartWait: wait}, BitFlip{Target: Follower, File: FileSnapshot, StartWait: wait}} {
		t.Run(nem.Name(), func(t *testing.T) {
			c := newFake(3, "n2")
			c.mem.refuse = true
			f, err := nem.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 0)))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c.calls = nil
			require.NoError(t, f.Heal(ctx))
			calls := c.Calls()
			assert.Contains(t, calls, "start n3")
			assert.Contains(t, calls, "destroy n3")
			assert.Contains(t, calls, "replace n3")
			assert.Equal(t, "member-add", string(f.HealKind))
			assert.Empty(t, c.Faults())
		})
	}
}

func TestMemberNemesisErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		nem  Nemesis
		fail string // verb the fake fails
	}{
		{"member-remove", MemberRemove{Target: AnyNode}, "remove-member"},
		{"member-replace", MemberReplace{Target: AnyNode}, "destroy"},
		{"grow", GrowShrink{}, "grow"},
		{"crash-all", CrashAll{}, "kill-nodes"},
		{"kill-majority", KillMajority{}, "kill-nodes"},
		{"disk-truncate", DiskTruncate{Target: AnyNode}, "truncate"},
		{"bitflip", BitFlip{Target: AnyNode, File: FileRaftLog}, "flip"},
		{"disk-lies", DiskLies{}, "truncate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFake(3, "n1")
			c.fail[tt.fail] = boom
			f, err := tt.nem.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 0)))
			assert.ErrorIs(t, err, boom)
			assert.Nil(t, f)
		})
	}
	_, err := BitFlip{Target: AnyNode, File: "wal"}.Inject(context.Background(), newFake(3, "n1"), rand.New(rand.NewPCG(1, 0)))
	assert.ErrorContains(t, err, "unknown file")
}

// TestGrowShrinkUndoesAPartialGrow: when the second node cannot be added,
// the first is removed again.
func TestGrowShrinkUndoesAPartialGrow(t *testing.T) {
	c := newFake(3, "n1")
	c.fail["grow"] = nil
	g := &failAfter{fakeCluster: c, verb: "grow", after: 1}
	_, err := GrowShrink{}.Inject(context.Background(), g, rand.New(rand.NewPCG(1, 0)))
	require.Error(t, err)
	assert.Equal(t, []string{"grow", "shrink n4"}, c.Calls())
	assert.Equal(t, ids3, c.NodeIDs())
}

// failAfter fails GrowNode after the first after calls.
type failAfter struct {
	*fakeCluster
	verb  string
	after int
	n     int
}

func (f *failAfter) GrowNode(ctx context.Context) (string, error) {
	f.n++
	if f.n > f.after {
		return "", errors.New("no room")
	}
	return f.fakeCluster.GrowNode(ctx)
}

func TestRandomMajority(t *testing.T) {
	for _, n := range []int{1, 3, 4, 5, 7} {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = "n" + string(rune('1'+i))
		}
		for seed := range uint64(20) {
			got := RandomMajority(ids, rand.New(rand.NewPCG(seed, 0)))
			assert.Len(t, got, n/2+1)
			assert.Equal(t, sortedCopy(got), got, "in node order")
			assert.Subset(t, ids, got)
		}
	}
}

func TestLeaderLast(t *testing.T) {
	assert.Equal(t, []string{"n1", "n3", "n2"}, LeaderLast(ids3, "n2"))
	assert.Equal(t, ids3, LeaderLast(ids3, ""))
	assert.Equal(t, ids3, LeaderLast(ids3, "n3"))
}

// TestRollingRestart: every node is stopped and started in turn, leader
// last, with a wait for the cluster between steps; Heal waits for the end.
func TestRollingRestart(t *testing.T) {
	c := newFake(3, "n1")
	f, err := RollingRestart{Grace: time.Second}.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 0)))
	require.NoError(t, err)
	assert.Equal(t, "restart-rolling", string(f.Kind))
	assert.Equal(t, "n2 n3 n1", f.Value)
	assert.Equal(t, "start", string(f.HealKind))
	require.NoError(t, f.Heal(context.Background()))
	c.mu.Lock()
	seq := append([]string(nil), c.calls...)
	c.mu.Unlock()
	assert.Equal(t, []string{"leader",
		"stop n2 1s", "start n2", "wait-ready",
		"stop n3 1s", "start n3", "wait-ready",
		"stop n1 1s", "start n1", "wait-ready"}, seq)
	assert.Empty(t, c.Faults())
}

// TestRollingRestartStopsAtAFailure: a cluster that does not become ready
// ends the roll, and Heal reports it (the schedule then heals everything).
func TestRollingRestartStopsAtAFailure(t *testing.T) {
	c := newFake(3, "n1")
	c.fail["wait-ready"] = errors.New("not ready")
	f, err := RollingRestart{}.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 0)))
	require.NoError(t, err)
	err = f.Heal(context.Background())
	assert.ErrorContains(t, err, "after restarting n2")
	assert.NotContains(t, c.Calls(), "stop n3 3s")
}

// TestRollingRestartHealTimesOut: Heal gives up when its context ends
// before the roll does, and cancels it.
func TestRollingRestartHealTimesOut(t *testing.T) {
	c := newFake(3, "n1")
	b := &blockingReady{fakeCluster: c, release: make(chan struct{})}
	f, err := RollingRestart{}.Inject(context.Background(), b, rand.New(rand.NewPCG(1, 0)))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, f.Heal(ctx), context.DeadlineExceeded)
}

// blockingReady's WaitReady blocks until its context ends.
type blockingReady struct {
	*fakeCluster
	release chan struct{}
}

func (b *blockingReady) WaitReady(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-b.release:
		return nil
	}
}
