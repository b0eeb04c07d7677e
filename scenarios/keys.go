package scenarios

import (
	"sort"
	"strconv"

	"github.com/raftlab/raftlab/linearizability"
)

// keySpace is the workload's keys: Slots keys are live at a time, and with
// OpsPerKey > 0 they rotate, Jepsen's independent-key pattern: once a
// generation of keys has had its share of operations, clients move on to
// fresh keys. A key's history then stays small however long the run, and
// the checker's cost grows linearly with the run instead of exponentially
// with the operations piled on one key.
//
// The rotation is counted per client, not with a shared counter, so that
// a seed still fixes every client's sequence of keys whatever the timing:
// client c uses generation g for its operations g*span .. (g+1)*span-1,
// where span = OpsPerKey*Slots/Clients. A key then gets OpsPerKey
// operations on average, and never more than OpsPerKey*Slots (the bound
// when one client's whole generation lands on one key).
type keySpace struct {
	Slots     int // live keys
	OpsPerKey int // 0: never rotate
	Clients   int
}

// span is how many of its operations a client spends on one generation
// (0: no rotation).
func (k keySpace) span() int {
	if k.OpsPerKey <= 0 {
		return 0
	}
	return max(1, k.OpsPerKey*k.Slots/max(1, k.Clients))
}

// key names slot of generation gen: generation 0 is k1..kSlots, the next
// k(Slots+1)..k(2*Slots), and so on, so names never repeat.
func (k keySpace) key(slot, gen int) string {
	return "k" + strconv.Itoa(gen*k.Slots+slot+1)
}

// gen is the generation of a client's n-th operation (from 0).
func (k keySpace) gen(n int) int {
	if s := k.span(); s > 0 {
		return n / s
	}
	return 0
}

// keyNames returns the first generation's keys k1..kn.
func keyNames(n int) []string {
	ks := keySpace{Slots: n}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = ks.key(i, 0)
	}
	return keys
}

// usedKeys returns the union of base and every key an operation in events
// touched, in the workload's order (k2 before k10).
func usedKeys(base []string, events []linearizability.Event) []string {
	seen := map[string]bool{}
	var keys []string
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, k := range base {
		add(k)
	}
	for _, e := range events {
		if e.Type == linearizability.TypeInvoke {
			add(e.Key)
		}
	}
	sort.SliceStable(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })
	return keys
}

// keyLess orders "k<number>" keys by number, anything else after them by
// name.
func keyLess(a, b string) bool {
	na, ea := strconv.Atoi(a[min(1, len(a)):])
	nb, eb := strconv.Atoi(b[min(1, len(b)):])
	switch {
	case ea == nil && eb == nil:
		return na < nb
	case ea == nil:
		return true
	case eb == nil:
		return false
	}
	return a < b
}
