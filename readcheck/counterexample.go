package readcheck

import (
	"fmt"
	"sort"

	L "github.com/raftlab/raftlab/linearizability"
)

// Counterexample cuts out of events a small history that shows anomaly a
// again: the anomaly's operations, the writes whose values its reads
// returned, and the nemesis events between the first and the last of them,
// each event unchanged and in its order. It is itself a history file that
// breaks a read contract (Contracts finds an anomaly in it; the kind may
// differ: a write another read saw in the full history may be a lost write
// in the small one). When the small cut does not show a violation, it falls
// back to every operation on the anomaly's keys, then to the whole history.
func Counterexample(events []L.Event, a Anomaly) ([]L.Event, error) {
	ops, err := L.Pair(events)
	if err != nil {
		return nil, err
	}
	byLine := make(map[int]int, len(ops)) // invocation line → op
	for i := range ops {
		byLine[ops[i].Line] = i
	}
	keep := map[int]bool{}
	keys := map[string]bool{}
	for _, r := range a.Ops {
		i, ok := byLine[r.Line]
		if !ok {
			return nil, fmt.Errorf("counterexample: the anomaly names line %d, which is no invocation of this history", r.Line)
		}
		keep[i] = true
		keys[r.Key] = true
	}
	withWrites := func(keep map[int]bool) {
		for i := range keep {
			r := &ops[i]
			if r.F != L.FGet || r.Value == nil {
				continue
			}
			for j := range ops {
				w := &ops[j]
				if w.F != L.FGet && w.F != L.FDelete && w.Key == r.Key && w.Value != nil && *w.Value == *r.Value {
					keep[j] = true
				}
			}
		}
	}
	withWrites(keep)
	if sub := cut(events, ops, keep); violated(sub) {
		return sub, nil
	}
	for i := range ops {
		if keys[ops[i].Key] {
			keep[i] = true
		}
	}
	if sub := cut(events, ops, keep); violated(sub) {
		return sub, nil
	}
	return append([]L.Event(nil), events...), nil
}

func violated(events []L.Event) bool {
	res, err := Contracts(events)
	return err == nil && res.AnomaliesTotal > 0
}

// cut returns the events of the kept operations and the nemesis events
// within their span, in history order.
func cut(events []L.Event, ops []L.Operation, keep map[int]bool) []L.Event {
	var lines []int
	first, last := int64(-1), int64(-1)
	for i := range keep {
		op := &ops[i]
		lines = append(lines, op.Line)
		if op.ReturnLine > 0 {
			lines = append(lines, op.ReturnLine)
		}
		end := op.Return
		if end < 0 {
			end = op.Call
		}
		if first < 0 || op.Call < first {
			first = op.Call
		}
		last = max(last, end)
	}
	for i, e := range events {
		if e.IsNemesis() && e.Time >= first && e.Time <= last {
			lines = append(lines, i+1)
		}
	}
	sort.Ints(lines)
	out := make([]L.Event, 0, len(lines))
	for _, l := range lines {
		out = append(out, events[l-1])
	}
	return out
}
