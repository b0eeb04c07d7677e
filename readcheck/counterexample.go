package readcheck

import (
	"context"
	"fmt"
	"sort"
	"time"

	L "github.com/raftlab/raftlab/linearizability"
)

// Bounds of [Shrink] by default: a counterexample's checks take
// microseconds each, so these only matter when the cut falls back to a
// large history.
const (
	DefaultShrinkBudget   = 2 * time.Second
	DefaultShrinkAttempts = 2000
)

// ShrinkOptions bound [Shrink]. The zero value uses the defaults.
type ShrinkOptions struct {
	Budget   time.Duration // wall-clock time for the shrinking (default DefaultShrinkBudget)
	Attempts int           // candidate histories checked at most (default DefaultShrinkAttempts)
}

// A Shrunk counterexample of an anomaly.
type Shrunk struct {
	// Events is the sub-history: each event unchanged and in its order. It
	// shows the anomaly again: Contracts finds an anomaly of the same kind
	// with the same offending operation (Anomaly.Ops[0]).
	Events []L.Event
	// Cut is the number of events of the history shrinking started from
	// (the anomaly's operations and the writes its reads returned, or every
	// operation on its keys, or the whole history: the first that shows
	// the anomaly).
	Cut int
	// Attempts counts the candidate histories checked.
	Attempts int
	// StoppedEarly is set when the budget, the attempts or the context ran
	// out before no single operation could be dropped any more (StopReason
	// says which): Events still shows the anomaly, but may not be minimal.
	StoppedEarly bool
	StopReason   string
}

// Counterexample is [Shrink] with the default bounds, returning the events.
func Counterexample(events []L.Event, a Anomaly) ([]L.Event, error) {
	s, err := Shrink(context.Background(), events, a, ShrinkOptions{})
	if err != nil {
		return nil, err
	}
	return s.Events, nil
}

// Shrink cuts out of events a small history that shows anomaly a again,
// then shrinks it: it drops the other client operations, in halves, then
// quarters and so on down to single operations, keeping each drop after
// which Contracts still finds an anomaly of a's kind on a's offending
// operation. The anomaly's own operations are never dropped, nor are the
// nemesis events within their span (a reset fault decides which reads must
// not go back; those outside the kept operations' span go), so the small history fails for the reason the large one
// did. Minimal when it ends without StoppedEarly: dropping any one more
// operation loses the anomaly.
func Shrink(ctx context.Context, events []L.Event, a Anomaly, opts ShrinkOptions) (*Shrunk, error) {
	if opts.Budget <= 0 {
		opts.Budget = DefaultShrinkBudget
	}
	if opts.Attempts <= 0 {
		opts.Attempts = DefaultShrinkAttempts
	}
	if len(a.Ops) == 0 {
		return nil, fmt.Errorf("counterexample: the anomaly names no operation")
	}
	ops, err := L.Pair(events)
	if err != nil {
		return nil, err
	}
	byLine := make(map[int]int, len(ops)) // invocation line → op
	for i := range ops {
		byLine[ops[i].Line] = i
	}
	core := map[int]bool{}
	keys := map[string]bool{}
	for _, r := range a.Ops {
		i, ok := byLine[r.Line]
		if !ok {
			return nil, fmt.Errorf("counterexample: the anomaly names line %d, which is no invocation of this history", r.Line)
		}
		core[i] = true
		keys[r.Key] = true
	}
	target := byLine[a.Ops[0].Line]
	s := &shrinker{events: events, ops: ops, kind: a.Kind, target: &ops[target], core: core,
		deadline: time.Now().Add(opts.Budget), attempts: opts.Attempts, ctx: ctx}

	// Where to start: the smallest cut that shows the anomaly.
	keep := map[int]bool{}
	for i := range core {
		keep[i] = true
	}
	withWrites(ops, keep)
	start := keep
	if !s.shows(cut(events, ops, keep)) {
		start = map[int]bool{}
		for i := range ops {
			if keys[ops[i].Key] || core[i] {
				start[i] = true
			}
		}
		if !s.shows(cut(events, ops, start)) {
			start = nil // the whole history: it showed a
		}
	}
	var kept []int // the operations shrinking may drop, in history order
	if start == nil {
		for i := range ops {
			if !core[i] {
				kept = append(kept, i)
			}
		}
	} else {
		for i := range start {
			if !core[i] {
				kept = append(kept, i)
			}
		}
		sort.Ints(kept)
	}
	res := &Shrunk{Cut: len(s.build(kept))}
	if start == nil {
		res.Cut = len(events)
	}
	kept = s.ddmin(kept)
	res.Events = s.build(kept)
	if start == nil && len(kept) == len(ops)-len(core) {
		res.Events = append([]L.Event(nil), events...) // nothing dropped: the history as it was
	}
	res.Attempts, res.StoppedEarly, res.StopReason = s.tried, s.stop != "", s.stop
	return res, nil
}

// shrinker holds what Shrink's candidates are built from and judged by.
type shrinker struct {
	events   []L.Event
	ops      []L.Operation
	kind     Kind
	target   *L.Operation // the anomaly's offending operation
	core     map[int]bool // op indexes never dropped
	ctx      context.Context
	deadline time.Time
	attempts int
	tried    int
	stop     string // why shrinking stopped early ("" when it did not)
}

// build is the history of the core operations and the given others.
func (s *shrinker) build(others []int) []L.Event {
	keep := make(map[int]bool, len(others)+len(s.core))
	for i := range s.core {
		keep[i] = true
	}
	for _, i := range others {
		keep[i] = true
	}
	return cut(s.events, s.ops, keep)
}

// shows reports whether Contracts finds, in sub, an anomaly of the kind
// being shrunk whose offending operation is the target (same process,
// function, key and times: lines differ in a sub-history).
func (s *shrinker) shows(sub []L.Event) bool {
	s.tried++
	res, err := Contracts(sub)
	if err != nil {
		return false
	}
	t := s.target
	for _, a := range res.Anomalies {
		if a.Kind != s.kind || len(a.Ops) == 0 {
			continue
		}
		o := a.Ops[0]
		if o.Process == t.Process && o.F == t.F && o.Key == t.Key && o.Call == t.Call && o.Return == t.Return {
			return true
		}
	}
	return false
}

// out reports whether the bounds ran out, and records why.
func (s *shrinker) out() bool {
	switch {
	case s.stop != "":
	case s.ctx.Err() != nil:
		s.stop = "cancelled: " + s.ctx.Err().Error()
	case time.Now().After(s.deadline):
		s.stop = "time budget ran out"
	case s.tried >= s.attempts:
		s.stop = fmt.Sprintf("%d attempts made", s.attempts)
	}
	return s.stop != ""
}

// ddmin drops chunks of kept (halves, then quarters, ... then single
// operations) while the anomaly stays, and returns what is left. It ends
// when no single operation can be dropped, or a bound runs out.
func (s *shrinker) ddmin(kept []int) []int {
	for chunk := max(len(kept)/2, 1); len(kept) > 0; {
		dropped := false
		for lo := 0; lo < len(kept); {
			if s.out() {
				return kept
			}
			hi := min(lo+chunk, len(kept))
			cand := make([]int, 0, len(kept)-(hi-lo))
			cand = append(append(cand, kept[:lo]...), kept[hi:]...)
			if s.shows(s.build(cand)) {
				kept, dropped = cand, true
				continue // the next chunk now starts at lo
			}
			lo = hi
		}
		switch {
		case dropped:
			chunk = min(chunk, max(len(kept)/2, 1))
		case chunk == 1:
			return kept
		default:
			chunk = max(chunk/2, 1)
		}
	}
	return kept
}

// withWrites adds to keep the writes whose values its reads returned.
func withWrites(ops []L.Operation, keep map[int]bool) {
	type kv struct{ key, value string }
	want := map[kv]bool{}
	for i := range keep {
		if r := &ops[i]; r.F == L.FGet && r.Value != nil {
			want[kv{r.Key, *r.Value}] = true
		}
	}
	if len(want) == 0 {
		return
	}
	for j := range ops {
		w := &ops[j]
		if w.F != L.FGet && w.F != L.FDelete && w.Value != nil && want[kv{w.Key, *w.Value}] {
			keep[j] = true
		}
	}
}

// cut returns the events of the kept operations and the nemesis events
// within their span, in history order.
func cut(events []L.Event, ops []L.Operation, keep map[int]bool) []L.Event {
	first, last := int64(-1), int64(-1)
	lines := make([]int, 0, 2*len(keep))
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
