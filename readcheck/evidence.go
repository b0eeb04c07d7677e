package readcheck

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	L "github.com/raftlab/raftlab/linearizability"
)

// realTime holds every operation with evidence (an ok completion with an
// index), sorted by return time, with for each prefix the highest index: an
// operation invoked at t must be placed after every index that an operation
// returned before t already showed.
type realTime struct {
	ret  []int64
	best []int32 // op index of the prefix's highest-index operation
	all  []int32 // the same operations, sorted by index
}

func (c *checker) newRealTime() *realTime {
	n := 0
	for _, o := range c.byRet {
		if c.index[o] > 0 { // only ok completions carry one
			n++
		}
	}
	rt := &realTime{all: make([]int32, 0, n), ret: make([]int64, n), best: make([]int32, n)}
	for _, o := range c.byRet {
		if c.index[o] > 0 {
			rt.all = append(rt.all, o)
		}
	}
	for i, o := range rt.all {
		rt.ret[i], rt.best[i] = c.ret[o], o
		if i > 0 && c.index[rt.best[i-1]] >= c.index[o] {
			rt.best[i] = rt.best[i-1]
		}
	}
	rt.all = sortByIndex(c.index, rt.all)
	return rt
}

// sortByIndex returns the operations sorted by index, stably (equal indexes
// keep their order). Log indexes are dense, so when their range is at most a
// few times their number a counting sort does it in linear time; otherwise
// compact (index, op) pairs are sorted.
func sortByIndex(index []int64, in []int32) []int32 {
	if len(in) == 0 {
		return in
	}
	lo, hi := index[in[0]], index[in[0]]
	for _, o := range in {
		lo, hi = min(lo, index[o]), max(hi, index[o])
	}
	out := make([]int32, len(in))
	if span := hi - lo + 1; span <= 4*int64(len(in))+1024 {
		start := make([]int32, span+1)
		for _, o := range in {
			start[index[o]-lo+1]++
		}
		for i := 1; i < len(start); i++ {
			start[i] += start[i-1]
		}
		for _, o := range in {
			k := index[o] - lo
			out[start[k]] = o
			start[k]++
		}
		return out
	}
	pairs := make([]indexed, len(in))
	for i, o := range in {
		pairs[i] = indexed{index[o], o}
	}
	slices.SortStableFunc(pairs, func(a, b indexed) int { return cmp.Compare(a.index, b.index) })
	for i, p := range pairs {
		out[i] = p.op
	}
	return out
}

// indexed is an operation with a key to sort it by (an index or a time).
type indexed struct {
	index int64
	op    int32
}

// highestBefore is the operation of highest index that returned before t, or -1.
func (rt *realTime) highestBefore(t int64) int32 {
	n := sort.Search(len(rt.ret), func(i int) bool { return rt.ret[i] >= t })
	if n == 0 {
		return -1
	}
	return rt.best[n-1]
}

// indexRealTime checks the evidence against real time: a write invoked after
// an operation returned must have a higher index than that operation (the
// log index it was applied at did not exist yet). One pass over the
// operations by decreasing index, keeping the earliest return seen.
func (c *checker) indexRealTime(rt *realTime) {
	ops, index, ret := c.ops, c.index, c.ret
	var first int32 = -1 // earliest-returning operation of a higher index
	for hi := len(rt.all); hi > 0; {
		lo := hi - 1
		idx := index[rt.all[lo]]
		for lo > 0 && index[rt.all[lo-1]] == idx {
			lo--
		}
		group := rt.all[lo:hi]
		// The two earliest returns in the group, so that a write is compared
		// with every other operation of its index.
		var a, b int32 = -1, -1
		for _, o := range group {
			switch {
			case a < 0 || ret[o] < ret[a]:
				a, b = o, a
			case b < 0 || ret[o] < ret[b]:
				b = o
			}
		}
		for _, w := range group {
			if c.flags[w]&flagGet != 0 {
				continue
			}
			x := first
			other := a
			if other == w {
				other = b
			}
			if other >= 0 && (x < 0 || ret[other] < ret[x]) {
				x = other
			}
			if x < 0 || ret[x] >= c.call[w] {
				continue
			}
			wo, xo := &ops[w], &ops[x]
			var read *L.Operation
			var others []*L.Operation
			if xo.F == L.FGet {
				read, others = xo, []*L.Operation{wo}
			} else {
				others = []*L.Operation{wo, xo}
			}
			c.add(IndexContradiction, read, others, []int64{wo.Index, xo.Index}, fmt.Sprintf(
				"%s of %q was invoked at %s and given index %d, but %s had already returned at %s with index %d: an index cannot be given twice or go back",
				opWords(wo), wo.Key, ms(wo.Call), wo.Index, describe(xo), ms(xo.Return), xo.Index))
		}
		if a >= 0 && (first < 0 || ret[a] < ret[first]) {
			first = a
		}
		hi = lo
	}
}

func describe(op *L.Operation) string {
	if op.F == L.FGet {
		return fmt.Sprintf("a %s read of %q on %s", op.ReadLevel(), op.Key, nodeName(op))
	}
	return opWords(op) + fmt.Sprintf(" of %q", op.Key)
}

// A gapEntry is a read placed by its index after the key's indexed write
// at position p (-1: before any); state is the write whose value it
// returned (an op index), base when it is the indexed write at p (or the
// initial absence), or infoDelete for absent explained by an unknown delete.
type gapEntry struct {
	p     int
	index int64
	state int32
	read  int32
}

const (
	base       int32 = -10
	infoDelete int32 = -11
)

// byIndex places every read and write of a key with evidence by its index:
// a read at index i must return the value of the key's last write at an
// index ≤ i, or of an unknown write (no index) placed between that write and
// i. Unknown writes are placed where their readers put them; each must fit
// in one place, after every index that returned before it was invoked.
func (c *checker) byIndex(kd *keyData, rt *realTime) {
	ops := c.ops
	var infoDel int64 = never
	pairs := make([]indexed, 0, len(kd.writes))
	for _, w := range kd.writes {
		switch {
		case c.flags[w]&flagInfo == 0: // applied, not unknown: ok
			pairs = append(pairs, indexed{c.index[w], w})
		case c.flags[w]&flagDelete != 0 && c.call[w] < infoDel:
			infoDel = c.call[w]
		}
	}
	// Sorted as compact pairs, and searched in a compact array of indexes:
	// comparing through ops would touch a large struct per comparison.
	slices.SortFunc(pairs, func(a, b indexed) int { return cmp.Compare(a.index, b.index) })
	iw := make([]int32, len(pairs))    // acknowledged writes, by index
	iwIdx := make([]int64, len(pairs)) // their indexes
	for k, p := range pairs {
		iw[k], iwIdx[k] = p.op, p.index
	}
	kd.iw = iw
	for k := 1; k < len(iw); k++ {
		if iwIdx[k-1] == iwIdx[k] {
			a, b := &ops[iw[k-1]], &ops[iw[k]]
			c.add(IndexContradiction, nil, []*L.Operation{a, b}, []int64{a.Index}, fmt.Sprintf(
				"%s and %s of %q were both given index %d: one log entry holds one write of a key",
				opWords(a), opWords(b), a.Key, a.Index))
		}
	}
	var acked *byReturn
	entries := make([]gapEntry, 0, len(kd.reads))
	for _, ri := range kd.reads {
		if c.bad(ri) {
			continue
		}
		w := c.wOf[ri]
		if w == ambiguous {
			continue
		}
		i := c.index[ri]
		p := sort.Search(len(iwIdx), func(k int) bool { return iwIdx[k] > i }) - 1
		if c.level[ri] == 0 { // linearizable
			if acked == nil {
				acked = c.newByReturn(kd.writes, false, c.index)
			}
			if m := acked.before(c.call[ri]); m >= 0 && c.index[m] > i {
				c.behind(kd, &ops[ri], w, m, []int64{i, c.index[m]})
				continue
			}
		}
		baseAbsent := p < 0 || c.flags[iw[p]]&flagDelete != 0
		switch {
		case w == -1 && baseAbsent:
			entries = append(entries, gapEntry{p, i, base, ri})
		case w == -1 && infoDel < c.ret[ri]:
			entries = append(entries, gapEntry{p, i, infoDelete, ri})
		case w == -1:
			c.misses(kd, &ops[ri], w, iw[p])
		case c.flags[w]&flagInfo != 0:
			entries = append(entries, gapEntry{p, i, w, ri})
		case p >= 0 && w == iw[p]:
			entries = append(entries, gapEntry{p, i, base, ri})
		case c.index[w] > i:
			r := &ops[ri]
			c.add(IndexContradiction, r, []*L.Operation{&ops[w]}, []int64{i, ops[w].Index}, fmt.Sprintf(
				"%s read of %q on %s at index %d returned %s, which was written at index %d, later than the read's own index",
				r.ReadLevel(), r.Key, nodeName(r), i, show(r.Value), ops[w].Index))
		default:
			c.misses(kd, &ops[ri], w, iw[p])
		}
	}
	c.placeUnknown(kd, entries, infoDel, rt)
}

// misses reports read r, which returned write w (-1: absent) although the
// acknowledged write m sits at an index between w's and the read's.
func (c *checker) misses(kd *keyData, r *L.Operation, w, m int32) {
	mo := &c.ops[m]
	if mo.F != L.FDelete && !c.observed(m) && r.Call > mo.Return {
		c.behind(kd, r, w, m, []int64{r.Index, mo.Index})
		return
	}
	others := []*L.Operation{mo}
	seen := "absent"
	if w >= 0 {
		others = append(others, &c.ops[w])
		seen = fmt.Sprintf("%s (index %d)", show(r.Value), c.ops[w].Index)
	}
	c.add(IndexContradiction, r, others, []int64{r.Index, mo.Index}, fmt.Sprintf(
		"%s read of %q on %s claims index %d but returned %s, missing %s at index %d",
		r.ReadLevel(), r.Key, nodeName(r), r.Index, seen, opWords(mo), mo.Index))
}

// placeUnknown checks that the unknown writes the reads returned can each be
// put at one place: between the indexed write before them and the first
// read that saw them, after every index that returned before they were
// invoked, and that no read after that place saw the older state again.
func (c *checker) placeUnknown(kd *keyData, entries []gapEntry, infoDel int64, rt *realTime) {
	ops := c.ops
	slices.SortFunc(entries, func(a, b gapEntry) int {
		if a.p != b.p {
			return cmp.Compare(a.p, b.p)
		}
		return cmp.Compare(a.index, b.index)
	})
	placed := map[int32]int64{} // unknown write → the index its run starts at
	for s := 0; s < len(entries); {
		e := s
		for e < len(entries) && entries[e].p == entries[s].p {
			e++
		}
		cur := base
		var curRead int32 = -1
		for k := s; k < e; k++ {
			g := entries[k]
			r := &ops[g.read]
			state := g.state
			if state == base && cur != base && r.Value == nil && infoDel < r.Return {
				state = infoDelete // absent again: only an unknown delete explains it
			}
			prev := &ops[g.read]
			if curRead >= 0 {
				prev = &ops[curRead]
			}
			switch {
			case state == cur:
			case k > s && entries[k-1].index == g.index && state != infoDelete && cur != infoDelete:
				c.add(IndexContradiction, r, []*L.Operation{&ops[entries[k-1].read]}, []int64{g.index}, fmt.Sprintf(
					"two reads of %q at the same index %d returned different values, %s and %s",
					r.Key, g.index, show(ops[entries[k-1].read].Value), show(r.Value)))
			case state == base:
				c.add(IndexContradiction, r, []*L.Operation{prev}, []int64{g.index, prev.Index}, fmt.Sprintf(
					"%s read of %q on %s at index %d returned %s, although a read at the lower index %d already returned %s, written later",
					r.ReadLevel(), r.Key, nodeName(r), g.index, show(r.Value), prev.Index, show(prev.Value)))
			case state == infoDelete:
				cur, curRead = state, g.read
			default:
				u := &ops[state]
				if at, again := placed[state]; again {
					c.add(IndexContradiction, r, []*L.Operation{u}, []int64{at, g.index}, fmt.Sprintf(
						"%s read of %q on %s at index %d returned %s, whose write (outcome unknown) readers already placed at index %d, with another value seen in between",
						r.ReadLevel(), r.Key, nodeName(r), g.index, show(r.Value), at))
					continue
				}
				placed[state] = g.index
				cur, curRead = state, g.read
				if g.p >= 0 && ops[kd.iwAt(g.p)].Index == g.index {
					w := &ops[kd.iwAt(g.p)]
					c.add(IndexContradiction, r, []*L.Operation{u, w}, []int64{g.index}, fmt.Sprintf(
						"%s read of %q on %s at index %d returned %s (a write of unknown outcome), but %s is the key's write at that very index",
						r.ReadLevel(), r.Key, nodeName(r), g.index, show(r.Value), opWords(w)))
					continue
				}
				if h := rt.highestBefore(u.Call); h >= 0 && ops[h].Index >= g.index {
					ho := &ops[h]
					c.add(IndexContradiction, r, []*L.Operation{u, ho}, []int64{g.index, ho.Index}, fmt.Sprintf(
						"%s read of %q on %s at index %d returned %s, whose write (outcome unknown) was invoked at %s, after %s had returned with the higher index %d",
						r.ReadLevel(), r.Key, nodeName(r), g.index, show(r.Value), ms(u.Call), describe(ho), ho.Index))
				}
			}
		}
		s = e
	}
}

// iwAt is the key's indexed write at position p (byIndex's order).
func (kd *keyData) iwAt(p int) int32 { return kd.iw[p] }
