package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
)

func TestRecoveryFiguresPerFaultKind(t *testing.T) {
	const s = int64(1e9)
	kill := func(start, injected, healing, full int64, before, after uint64) FaultWindow {
		return FaultWindow{Nemesis: "kill-leader", Fault: &Fault{Kind: "kill", Value: "n1"}, Start: start, Injected: injected,
			Healing: healing, End: healing + s/10, FullStrength: full, TermBefore: before, TermAfter: after, RecoveryWatched: s}
	}
	faults := []FaultWindow{
		kill(1*s, 1*s, 3*s, 4*s, 2, 3),                       // ack 1.5 s after injection, whole 1 s after the heal, 1 election
		kill(5*s, 5*s, 7*s, 0, 3, 5),                         // never whole, 2 elections; its only ack comes after the next window started
		{Nemesis: "pause-node", Start: 9 * s, Error: "boom"}, // failed: no figures
	}
	ok := func(f string, ret int64) linearizability.Operation {
		return linearizability.Operation{F: f, Type: linearizability.TypeOk, Call: ret - s/100, Return: ret}
	}
	ops := []linearizability.Operation{
		ok("set", s/2),        // before the first injection
		ok("get", 1*s+s/10),   // a read is not a write
		ok("cas", 2*s+s/2),    // the first window's first acknowledged write
		ok("delete", 9*s+s/2), // after the second window's end: not its
		{F: "set", Type: linearizability.TypeInfo, Call: 5 * s, Return: 6 * s},
	}
	got := recoveryByKind(faults, ops, 10*s)
	require.Len(t, got, 1)
	r := got[0]
	assert.Equal(t, "kill", r.Kind)
	assert.Equal(t, 2, r.Windows)
	assert.Equal(t, 1.5, *r.FirstAckMedian)
	assert.Equal(t, 1, r.NoAck)
	assert.Equal(t, 1.0, *r.FullStrengthMedian)
	assert.Equal(t, 1, r.NotFull)
	assert.Equal(t, uint64(3), r.Elections)
	assert.Equal(t, 1.5, r.ElectionsPerWindow)
	assert.Empty(t, recoveryByKind(nil, ops, 10*s))
	// A window whose recovery was not watched is not counted as never whole.
	faults[1].RecoveryWatched = 0
	r = recoveryByKind(faults, ops, 10*s)[0]
	assert.Equal(t, 0, r.NotFull)
	assert.Equal(t, 1, r.NotWatched)
}
