package scenarios

import (
	"sort"

	"github.com/raftlab/raftlab/linearizability"
)

// A replicaRead is one stale read of a key on a node: ok false when the
// read got no answer (the node was unreachable, the deadline passed).
type replicaRead func(node int, key string) (value *string, ok bool)

// comparison is what one round of convergence reads found.
type comparison struct {
	// values: key → node → value read (null: absent); a node missing for a
	// key was not read.
	values map[string]map[string]*string
	// agreed: read on every node, all equal to each other and to the final
	// linearizable read (when there is one).
	agreed []string
	// diverged: among the values actually read, two differ, or one differs
	// from the final read. Only values read count: an unread replica is
	// never taken for a diverged one.
	diverged []string
	// notRead: no read value disagrees, but some node was not read.
	notRead []string
}

// lateWrites are, per key, the values of writes whose outcome is unknown
// (nil for a delete). Such a write may take effect at any time after its
// invocation, so also after the final reads: a write a client gave up on
// while its node was cut off reaches the leader when the partition heals.
type lateWrites map[string][]*string

// unknownWrites collects the writes of unknown outcome of a history (an info
// completion, or none at all).
func unknownWrites(events []linearizability.Event) lateWrites {
	ops, err := linearizability.Pair(events)
	if err != nil {
		return nil
	}
	out := lateWrites{}
	for _, o := range ops {
		if o.F == linearizability.FGet || o.Outcome() != linearizability.OutcomeInfo {
			continue
		}
		var v *string
		if o.F != linearizability.FDelete {
			v = o.Value
		}
		out[o.Key] = append(out[o.Key], v)
	}
	return out
}

func (l lateWrites) has(key string, v *string) bool {
	for _, w := range l[key] {
		if sameValue(w, v) {
			return true
		}
	}
	return false
}

// compareReplicas reads every key on every node (ids[i] is node i) and
// sorts each key into agreed, diverged or not read. Replicas that all agree
// on the value of a write of unknown outcome, other than the final read's,
// agree: that write took effect after the final reads. It does no I/O
// beyond read.
func compareReplicas(keys, ids []string, final map[string]*string, late lateWrites, read replicaRead) comparison {
	c := comparison{values: map[string]map[string]*string{}}
	for _, k := range keys {
		vals := map[string]*string{}
		want, haveFinal := final[k]
		var first *string
		differ, fromFinal, missing, seen := false, false, false, false
		for i, id := range ids {
			v, ok := read(i, k)
			if !ok {
				missing = true
				continue
			}
			vals[id] = v
			if haveFinal && !sameValue(v, want) {
				fromFinal = true
			}
			if seen && !sameValue(first, v) {
				differ = true
			}
			if !seen {
				first, seen = v, true
			}
		}
		if fromFinal && (differ || missing || !late.has(k, first)) {
			differ = true
		}
		c.values[k] = vals
		switch {
		case differ:
			c.diverged = append(c.diverged, k)
		case missing:
			c.notRead = append(c.notRead, k)
		default:
			c.agreed = append(c.agreed, k)
		}
	}
	sort.Strings(c.diverged)
	sort.Strings(c.notRead)
	return c
}

func sameValue(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
