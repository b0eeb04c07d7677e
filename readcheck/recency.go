package readcheck

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	L "github.com/raftlab/raftlab/linearizability"
)

// deletes prepares kd's deletes: their invocation times in order and the
// latest return (never for an unknown outcome) among those invoked so far.
func (c *checker) deletes(kd *keyData) (calls, maxRet []int64) {
	for _, w := range kd.writes {
		op := &c.ops[w]
		if op.F != L.FDelete {
			continue
		}
		m := ret(op)
		if n := len(maxRet); n > 0 && maxRet[n-1] > m {
			m = maxRet[n-1]
		}
		calls = append(calls, op.Call)
		maxRet = append(maxRet, m)
	}
	return calls, maxRet
}

// latestDeleteReturn is the latest return of the deletes invoked before t
// (-1 when none was): a read that returned at t can see "absent" after a write
// w only if some delete may follow w, that is, returned after w was invoked.
func latestDeleteReturn(calls, maxRet []int64, t int64) int64 {
	n := sort.Search(len(calls), func(i int) bool { return calls[i] >= t })
	if n == 0 {
		return -1
	}
	return maxRet[n-1]
}

// byReturn is acknowledged writes sorted by return time with, for each
// prefix, the write invoked last (no evidence) or of highest index
// (evidence): the newest write certainly committed before a given time.
type byReturn struct {
	ret  []int64
	best []int32 // op index of the prefix's best write
}

// newByReturn builds it from a key's writes (deletes left out with
// noDeletes); a write is better than another when its by (the checker's
// index or call) is higher. It reads the checker's compact per-op arrays.
func (c *checker) newByReturn(writes []int32, noDeletes bool, by []int64) *byReturn {
	ws := make([]indexed, 0, len(writes)) // (return, write): compact to sort
	for _, w := range writes {
		if c.flags[w]&flagInfo == 0 && !(noDeletes && c.flags[w]&flagDelete != 0) {
			ws = append(ws, indexed{c.ret[w], w})
		}
	}
	slices.SortFunc(ws, func(a, b indexed) int { return cmp.Compare(a.index, b.index) })
	b := &byReturn{ret: make([]int64, len(ws)), best: make([]int32, len(ws))}
	for i, p := range ws {
		w := p.op
		b.ret[i] = p.index
		b.best[i] = w
		if i > 0 && by[w] <= by[b.best[i-1]] {
			b.best[i] = b.best[i-1]
		}
	}
	return b
}

// before returns the best write that returned before t, or -1.
func (b *byReturn) before(t int64) int32 {
	n := sort.Search(len(b.ret), func(i int) bool { return b.ret[i] >= t })
	if n == 0 {
		return -1
	}
	return b.best[n-1]
}

// recency finds, without evidence, linearizable reads that are certainly
// behind an acknowledged write: the read returned a write w, and a write w2
// acknowledged before the read began was invoked after w was acknowledged (so
// w2 follows w in every order), or the read returned absent and w2 is a set
// no delete can follow. A w2 no read ever saw is reported as a lost write.
func (c *checker) recency(kd *keyData) {
	var all, sets *byReturn
	var delCalls, delRet []int64
	for _, ri := range kd.reads {
		r := &c.ops[ri]
		if c.bad(ri) || r.ReadLevel() != L.LevelLinearizable {
			continue
		}
		if all == nil {
			all = c.newByReturn(kd.writes, false, c.call)
			sets = c.newByReturn(kd.writes, true, c.call)
			delCalls, delRet = c.deletes(kd)
		}
		w := c.wOf[ri]
		var missed int32 = -1
		switch {
		case w >= 0 && c.ops[w].Type == L.TypeOk:
			if m := all.before(r.Call); m >= 0 && c.ops[m].Call > c.ops[w].Return {
				missed = m
			}
		case w == -1:
			if m := sets.before(r.Call); m >= 0 && c.ops[m].Call > latestDeleteReturn(delCalls, delRet, r.Return) {
				missed = m
			}
		}
		if missed < 0 {
			continue
		}
		c.behind(kd, r, w, missed, nil)
	}
}

// behind reports read r (which returned write w, -1 for absent) as behind
// the acknowledged write missed: a lost write when no read ever saw missed,
// else a stale read. indexes is the evidence, if any.
func (c *checker) behind(kd *keyData, r *L.Operation, w, missed int32, indexes []int64) {
	m := &c.ops[missed]
	others := []*L.Operation{m}
	if w >= 0 {
		others = append(others, &c.ops[w])
	}
	if m.F != L.FDelete && !c.observed(missed) {
		c.add(LostWrite, r, others, indexes, fmt.Sprintf(
			"%s of %q was acknowledged at %s and no read ever returned it; the %s read on %s that began at %s returned %s, an older value",
			opWords(m), m.Key, ms(m.Return), r.ReadLevel(), nodeName(r), ms(r.Call), show(r.Value)))
		return
	}
	c.add(StaleRead, r, others, indexes, fmt.Sprintf(
		"%s read of %q on %s began at %s, after %s was acknowledged (%s), yet returned %s, an older value",
		r.ReadLevel(), r.Key, nodeName(r), ms(r.Call), opWords(m), ms(m.Return), show(r.Value)))
}

func opWords(op *L.Operation) string {
	switch op.F {
	case L.FDelete:
		return "the delete"
	case L.FCAS:
		return fmt.Sprintf("the cas to %s", show(op.Value))
	default:
		return fmt.Sprintf("the write of %s", show(op.Value))
	}
}
