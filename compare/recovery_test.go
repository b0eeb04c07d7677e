package compare

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/report"
)

// TestRecoveries: a write in flight before the moment does not count, a
// read never does, a window without an injection is no fault.
func TestRecoveries(t *testing.T) {
	const s = int64(1e9)
	ops := []linearizability.Operation{
		{F: linearizability.FSet, Type: linearizability.TypeOk, Call: 1 * s, Return: 3 * s},        // in flight at the injection
		{F: linearizability.FGet, Type: linearizability.TypeOk, Call: 2 * s, Return: 2*s + s/10},   // a read
		{F: linearizability.FSet, Type: linearizability.TypeInfo, Call: 2 * s, Return: 4 * s},      // not acknowledged
		{F: linearizability.FCAS, Type: linearizability.TypeOk, Call: 2*s + s/2, Return: 5 * s},    // first ack after injection
		{F: linearizability.FDelete, Type: linearizability.TypeOk, Call: 6 * s, Return: 6*s + s/4}, // first after the heal
	}
	faults := []report.FaultWindow{
		{Fault: &report.Fault{Kind: "kill"}, Injected: 2 * s, Healing: 6 * s},
		{Fault: &report.Fault{Kind: "pause"}, Injected: 7 * s, Healing: 8 * s}, // nothing after
		{Fault: nil, Injected: 0}, // failed injection
	}
	got := Recoveries(ops, faults)
	assert.Equal(t, []Recovery{
		{Kind: "kill", FromInjection: 3, FromHeal: 0.25},
		{Kind: "pause", FromInjection: -1, FromHeal: -1},
	}, got)
}
