package linearizability

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// counterexample cuts the kept operations and the nemesis events around them
// out of the original history, and checks and explains the result.
func (s *shrinker) counterexample(kept []int) (*Counterexample, error) {
	h := s.h
	var lines []int
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	for _, i := range kept {
		op := &h.ops[i]
		lines = append(lines, op.Line)
		end := h.end
		if !op.Open {
			lines = append(lines, op.ReturnLine)
			end = op.Return
		}
		first, last = min(first, op.Call), max(last, end)
	}
	// A fault window belongs to the counterexample when it overlaps the
	// kept operations' span: it is the weather they ran in.
	nemesis := 0
	for _, w := range faultWindows(h.nemesis) {
		end := w.end
		if w.open {
			end = math.MaxInt64
		}
		if w.start > last || end < first {
			continue
		}
		for _, e := range w.events {
			lines = append(lines, h.nemesis[e].Line)
			nemesis++
		}
	}
	sort.Ints(lines)
	events := make([]Event, len(lines))
	for j, l := range lines {
		events[j] = h.events[l-1]
	}

	ce := &Counterexample{Key: s.key, Events: events, Kept: len(kept), Nemesis: nemesis, StopReason: s.stopped, StoppedEarly: s.stopped != ""}
	for _, i := range kept {
		ce.OriginalLines = append(ce.OriginalLines, h.ops[i].Line)
	}
	// The final check gets at least the budget that decided the original
	// key: when the shrinking stopped early, the history may still be big.
	res, err := Check(s.ctx, events, Options{PerKeyTimeout: max(s.opts.CheckTimeout, s.finalTimeout), MaxHeap: s.maxHeap, Parallelism: 1})
	if err != nil {
		return nil, fmt.Errorf("shrink: the sub-history is malformed (a bug): %w", err)
	}
	ce.Checks = s.checks + 1
	ce.Operations = res.h.ops
	switch res.Verdict {
	case NotLinearizable:
		ce.Explanation = res.Explanations[0]
	case Linearizable:
		return nil, errors.New("shrink: the sub-history is linearizable (a bug: every removal was checked)")
	default:
		ce.Explanation = Explanation{Key: s.key, Partial: true,
			Summary: fmt.Sprintf("key %q: not linearizable (shrinking proved it), but the final check ran out of budget: %s", s.key, res.Keys[s.key].Reason)}
		ce.Explanation.Text = ce.Explanation.Summary + "\n"
	}
	return ce, nil
}

// WriteJSONL writes the counterexample as a history file (DESIGN.md, "History
// file"): 'chaoslab check' reads it and finds it not linearizable.
func (c *Counterexample) WriteJSONL(w io.Writer) error { return WriteJSONL(w, c.Events) }
