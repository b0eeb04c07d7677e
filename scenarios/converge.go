package scenarios

import "sort"

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

// compareReplicas reads every key on every node (ids[i] is node i) and
// sorts each key into agreed, diverged or not read. It does no I/O beyond
// read.
func compareReplicas(keys, ids []string, final map[string]*string, read replicaRead) comparison {
	c := comparison{values: map[string]map[string]*string{}}
	for _, k := range keys {
		vals := map[string]*string{}
		want, haveFinal := final[k]
		var first *string
		differ, missing, seen := false, false, false
		for i, id := range ids {
			v, ok := read(i, k)
			if !ok {
				missing = true
				continue
			}
			vals[id] = v
			if haveFinal && !sameValue(v, want) {
				differ = true
			}
			if seen && !sameValue(first, v) {
				differ = true
			}
			if !seen {
				first, seen = v, true
			}
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
