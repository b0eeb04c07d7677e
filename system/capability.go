package system

import (
	"reflect"
	"slices"

	"github.com/raftlab/raftlab/chaos"
)

// handles maps each Capability that is a fault handle to the chaos
// interface a cluster offering it implements. The other capabilities (read
// levels, node settings, planted bugs, snapshot counters) are about the
// store, not about handles, and a System answers for them alone.
var handles = map[Capability]reflect.Type{
	Kill:           reflect.TypeFor[chaos.Killer](),
	Pause:          reflect.TypeFor[chaos.Pauser](),
	Network:        reflect.TypeFor[chaos.Networker](),
	Disk:           reflect.TypeFor[chaos.Disker](),
	Membership:     reflect.TypeFor[chaos.Members](),
	Failpoints:     reflect.TypeFor[chaos.Failpointer](),
	LeaderTransfer: reflect.TypeFor[chaos.LeaderTransferer](),
}

// Handles are the capabilities that are fault handles (see Implements),
// sorted.
func Handles() []Capability {
	out := make([]Capability, 0, len(handles))
	for c := range handles {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Implements reports whether cluster (a Cluster value, or a zero value of
// a system's cluster type) implements the chaos interface of capability c;
// handle is false when c is not a fault handle. A System's Lacks must say
// "" for a handle exactly when its clusters implement it (each system's
// test checks); a system answers it best by asking Implements about a
// zero value of its cluster type, so the two cannot disagree.
func Implements(cluster any, c Capability) (implements, handle bool) {
	t, ok := handles[c]
	if !ok {
		return false, false
	}
	return reflect.TypeOf(cluster).Implements(t), true
}
