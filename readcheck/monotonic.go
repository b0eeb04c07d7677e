package readcheck

import (
	"fmt"
	"sort"
	"strings"

	"github.com/raftlab/raftlab/fault"
	L "github.com/raftlab/raftlab/linearizability"
)

// resetFaults are nemesis events after which a node may hold a different
// state machine on purpose: its disk was replaced, cut or damaged, or an
// empty member took its place. Without an incarnation in the history, each
// one starts a new incarnation of the nodes it names.
var resetFaults = map[fault.Kind]bool{fault.Wipe: true, fault.Truncate: true, fault.Bitflip: true, fault.MemberAdd: true}

// incarnations numbers a node's incarnations from the nemesis events, for
// histories whose completions carry no incarnation.
type incarnations map[string][]int64 // node → times of its reset events

// newIncarnations reads the reset events among the given events (those
// whose 1-based lines are listed; all when lines is nil). A token of a
// reset event's value that names no node (nodes nil: any token) is left
// out, or kept harmlessly: only reads' nodes are looked up.
func newIncarnations(events []L.Event, lines []int32, nodes map[string]bool) incarnations {
	inc := incarnations{}
	add := func(e *L.Event) {
		if !e.IsNemesis() || !resetFaults[fault.Kind(e.F)] || e.Value == nil {
			return
		}
		for _, tok := range strings.FieldsFunc(*e.Value, func(r rune) bool { return r == ' ' || r == ',' || r == '|' }) {
			if nodes == nil || nodes[tok] {
				inc[tok] = append(inc[tok], e.Time)
			}
		}
	}
	if lines == nil {
		for i := range events {
			add(&events[i])
		}
		return inc
	}
	for _, l := range lines {
		add(&events[l-1])
	}
	return inc
}

// A streamID names the sequence of reads that must never go back: a node
// incarnation, or (n ≥ 0) a node's n-th incarnation counted by reset events.
type streamID struct {
	node, incarnation string
	n                 int
}

// stream names the sequence of reads that must never go back that read r
// belongs to; ok is false when r is in none. A read names its node
// incarnation when the store gave one; otherwise a stale read is served by
// the node the client talked to, numbered by the reset events before it (a
// read that straddles one belongs to none). Leader and linearizable reads
// without an incarnation may be served by whichever node leads: no stream.
func (inc incarnations) stream(r *L.Operation) (id streamID, ok bool) {
	if r.Node == "" {
		return streamID{}, false
	}
	if r.Incarnation != "" {
		return streamID{r.Node, r.Incarnation, -1}, true
	}
	if r.ReadLevel() != L.LevelStale {
		return streamID{}, false
	}
	ts := inc[r.Node]
	if len(ts) == 0 {
		return streamID{node: r.Node}, true
	}
	lo := sort.Search(len(ts), func(i int) bool { return ts[i] >= r.Call })
	hi := sort.Search(len(ts), func(i int) bool { return ts[i] > r.Return })
	if lo != hi {
		return streamID{}, false
	}
	return streamID{node: r.Node, n: lo}, true
}

// pred is the strongest earlier read of a stream: by index, or per key by
// the invocation time of the write it returned.
type pred struct {
	read int32
	at   int64 // index, or write invocation time
}

// monotonic checks that successive reads on one node incarnation (the first
// returned before the second was invoked) never go back: by index where the
// reads carry one, and, on keys without evidence, by the values: the second
// read must not return a write that was acknowledged before the write the
// first one returned was invoked (or absent, when no delete can follow it).
func (c *checker) monotonic(events []L.Event) {
	ops := c.ops
	inc := newIncarnations(events, c.nemesis, nil)
	type stream struct{ reads, byRet []int32 }
	var streams []*stream
	ids := map[streamID]int32{}
	sid := make([]int32, len(ops))
	for i := range ops {
		sid[i] = -1
		if ops[i].F != L.FGet || ops[i].Type != L.TypeOk {
			continue
		}
		name, ok := inc.stream(&ops[i])
		if !ok {
			continue
		}
		id, ok := ids[name]
		if !ok {
			id = int32(len(streams))
			ids[name] = id
			streams = append(streams, &stream{})
		}
		sid[i] = id
		streams[id].reads = append(streams[id].reads, int32(i)) // invocation order
	}
	for _, o := range c.byRet {
		if sid[o] >= 0 {
			streams[sid[o]].byRet = append(streams[sid[o]].byRet, o)
		}
	}
	type dels struct{ calls, maxRet []int64 }
	delsOf := make([]*dels, len(c.keys))
	for _, st := range streams {
		reads, byRet := st.reads, st.byRet
		byIdx := pred{read: -1}
		byKey := map[int32]pred{}
		j := 0
		for _, ri := range reads {
			for ; j < len(byRet) && c.ret[byRet[j]] < c.call[ri]; j++ {
				if x := c.index[byRet[j]]; x > 0 && x > byIdx.at {
					byIdx = pred{byRet[j], x}
				}
				k := c.kid[byRet[j]]
				if c.keys[k].evidence && c.res.Evidence || c.bad(byRet[j]) {
					continue
				}
				if w := c.wOf[byRet[j]]; w >= 0 {
					if b, ok := byKey[k]; !ok || ops[w].Call > b.at {
						byKey[k] = pred{byRet[j], ops[w].Call}
					}
				}
			}
			if x := c.index[ri]; x > 0 && byIdx.read >= 0 && x < byIdx.at {
				c.wentBack(&ops[ri], &ops[byIdx.read])
				continue
			}
			k := c.kid[ri]
			kd := c.keys[k]
			if kd.evidence && c.res.Evidence {
				continue
			}
			b, ok := byKey[k]
			if !ok || c.bad(ri) {
				continue
			}
			r := &ops[ri]
			w := c.wOf[ri]
			back := false
			switch {
			case w >= 0 && ops[w].Type == L.TypeOk:
				back = ops[w].Return < b.at
			case w == -1:
				d := delsOf[k]
				if d == nil {
					d = &dels{}
					d.calls, d.maxRet = c.deletes(kd)
					delsOf[k] = d
				}
				back = latestDeleteReturn(d.calls, d.maxRet, r.Return) < b.at
			}
			if back {
				p := &ops[b.read]
				pw := c.wOf[b.read]
				others := []*L.Operation{p, &ops[pw]}
				if w >= 0 {
					others = append(others, &ops[w])
				}
				c.add(NonMonotonicRead, r, others, nil, fmt.Sprintf(
					"%s read of %q on %s returned %s after an earlier read on the same node had returned %s, whose write began only after that value was written: the node went back",
					r.ReadLevel(), r.Key, nodeName(r), show(r.Value), show(p.Value)))
			}
		}
	}
}

// wentBack reports read r, whose index is below that of read p on the same
// node incarnation, which returned before r began.
func (c *checker) wentBack(r, p *L.Operation) {
	kind := IndexContradiction
	what := "its index went back"
	if r.Key == p.Key && !sameValue(r.Value, p.Value) {
		kind, what = NonMonotonicRead, "the node went back"
	}
	c.add(kind, r, []*L.Operation{p}, []int64{r.Index, p.Index}, fmt.Sprintf(
		"%s read of %q on %s at index %d returned %s after %s read of %q on the same node incarnation had returned %s at index %d: %s",
		r.ReadLevel(), r.Key, nodeName(r), r.Index, show(r.Value), article(p.ReadLevel()), p.Key, show(p.Value), p.Index, what))
}

func article(level string) string { return "a " + level }

func sameValue(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
