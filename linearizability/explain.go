package linearizability

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// An Explanation says in plain words why one key is not linearizable.
type Explanation struct {
	Key string `json:"key"`
	// Summary is one sentence naming the first operation that cannot be ordered.
	Summary string `json:"summary"`
	// Prefix is the longest order of operations found that a single copy of
	// the key allows, and State the key's value after it (nil: absent).
	Prefix []Operation `json:"prefix"`
	State  *string     `json:"state"`
	// Blocked are the operations that could come next in real time but that
	// no step from State allows, each with the reason.
	Blocked []Blocked `json:"blocked"`
	// Partial is set when the search for the longest prefix ran out of
	// budget: the prefix may not be the longest.
	Partial bool `json:"partial,omitempty"`
	// Text is the whole explanation, several lines.
	Text string `json:"text"`
}

// Blocked is an operation that cannot be ordered next, and why.
type Blocked struct {
	Operation Operation `json:"operation"`
	Reason    string    `json:"reason"`
}

func (e Explanation) String() string { return e.Text }

// How many operations of the prefix the text shows.
const prefixShown = 4

// explainKey re-runs the search of a key known to be not linearizable,
// keeping porcupine's partial linearizations, and explains the longest.
func explainKey(g *guard, kh *keyHistory, budget time.Duration) Explanation {
	s := g.begin(budget)
	_, info := porcupine.CheckOperationsVerbose(kh.model(&s.abort), kh.ops, 0)
	partial := g.end(s) != ""

	var best []int
	for _, p := range info.PartialLinearizations() {
		for _, lin := range p {
			if len(lin) > len(best) {
				best = lin
			}
		}
	}
	return buildExplanation(kh, best, partial)
}

func buildExplanation(kh *keyHistory, prefix []int, partial bool) Explanation {
	ex := Explanation{Key: kh.key, Partial: partial}
	state := kh.absent
	var lastWriter *Operation
	in := make([]bool, len(kh.pops))
	for _, id := range prefix {
		p := &kh.pops[id]
		_, next := step(state, p)
		if next != state || p.kind == kWrite {
			lastWriter = p.op
		}
		state = next
		in[id] = true
		ex.Prefix = append(ex.Prefix, *p.op)
	}
	ex.State = state.ptr()

	// Operations that real time allows next: no other remaining operation
	// returned before they were called.
	minRet := int64(-1)
	for i, op := range kh.ops {
		if !in[i] && (minRet < 0 || op.Return < minRet) {
			minRet = op.Return
		}
	}
	var cands []int
	for i, op := range kh.ops {
		if !in[i] && op.Call <= minRet {
			cands = append(cands, i)
		}
	}
	sort.Slice(cands, func(a, b int) bool { return kh.ops[cands[a]].Call < kh.ops[cands[b]].Call })
	for _, i := range cands {
		p := &kh.pops[i]
		if ok, _ := step(state, p); ok {
			continue
		}
		ex.Blocked = append(ex.Blocked, Blocked{Operation: *p.op, Reason: blockedReason(kh, p, state)})
	}

	var b strings.Builder
	fmt.Fprintf(&b, "key %q is not linearizable: no order of its %d operations is allowed by a single copy of the key.\n", kh.key, len(kh.ops))
	if len(prefix) == 0 {
		fmt.Fprintf(&b, "Not even its first operation can be ordered: the key starts absent.\n")
	} else {
		fmt.Fprintf(&b, "The longest order found has %d of them", len(prefix))
		if partial {
			b.WriteString(" (the search for it ran out of budget)")
		}
		b.WriteString("; it ends with:\n")
		if len(prefix) > prefixShown {
			fmt.Fprintf(&b, "  … %d earlier operations\n", len(prefix)-prefixShown)
		}
		for _, op := range ex.Prefix[max(0, len(prefix)-prefixShown):] {
			fmt.Fprintf(&b, "  %s\n", op.String())
		}
		fmt.Fprintf(&b, "after which %q is %s", kh.key, state)
		if lastWriter != nil && !state.absent {
			fmt.Fprintf(&b, " (written by process %d, line %d)", lastWriter.Process, lastWriter.Line)
		}
		b.WriteString(".\n")
	}
	if len(ex.Blocked) > 0 {
		b.WriteString("None of the operations that could come next is possible:\n")
		for _, bl := range ex.Blocked {
			fmt.Fprintf(&b, "  - %s\n    %s\n", bl.Operation.String(), bl.Reason)
		}
		first := ex.Blocked[0]
		ex.Summary = fmt.Sprintf("key %q: %s cannot be ordered: %s", kh.key, first.Operation.String(), first.Reason)
	} else {
		ex.Summary = fmt.Sprintf("key %q: no order of its %d operations is possible", kh.key, len(kh.ops))
	}
	ex.Text = b.String()
	return ex
}

// blockedReason says why p cannot follow a prefix that leaves the key at state.
func blockedReason(kh *keyHistory, p *pop, state *val) string {
	op := p.op
	switch p.kind {
	case kRead:
		return fmt.Sprintf("it read %s, but the key is %s there. %s", p.value, state, whyNotSeen(kh, op, p.value, "read"))
	case kCAS:
		return fmt.Sprintf("it swapped, so it found %s, but the key is %s there. %s", p.expect, state, whyNotSeen(kh, op, p.expect, "swap"))
	case kCASNot:
		return fmt.Sprintf("it reported finding a value other than %s, but the key is %s there and every order puts it there.", p.expect, state)
	}
	return "every step from this state is refused."
}

// whyNotSeen looks for the plain reason why op cannot have found v: nobody
// wrote it, only failed writes did, only later writes did, or every write of
// it was overwritten by a write that completed before op began (stale).
func whyNotSeen(kh *keyHistory, op *Operation, v *val, verb string) string {
	var writers, failed []*Operation
	for i := range kh.pops {
		w := kh.pops[i].op
		if kh.pops[i].kind != kCASNot && writesValue(w, v) {
			writers = append(writers, w)
		}
	}
	// Failed writes were dropped from pops; look at the whole key.
	for _, w := range kh.allOps() {
		if w.Type == TypeFail && writesValue(w, v) {
			failed = append(failed, w)
		}
	}
	if !v.absent && len(writers) == 0 {
		if len(failed) > 0 {
			return fmt.Sprintf("%s was only written by a write that failed, which took no effect: %s.", v, failed[0])
		}
		return fmt.Sprintf("No operation on the key ever wrote %s.", v)
	}
	var earlier []*Operation
	for _, w := range writers {
		if w.Call <= op.Return || op.Open {
			earlier = append(earlier, w)
		}
	}
	if !v.absent && len(earlier) == 0 {
		return fmt.Sprintf("%s was only written by an operation that began after this %s ended: %s.", v, verb, writers[0])
	}
	// Stale: every write of v (and the initial absence) is followed by a
	// definite write of another value that completed before op began.
	var overwrite *Operation
	stale := true
	check := func(after int64) bool {
		for i := range kh.pops {
			o := kh.pops[i].op
			if o.Type == TypeOk && o.F != FGet && !writesValue(o, v) && o.Call > after && o.Return < op.Call {
				if overwrite == nil || o.Return > overwrite.Return {
					overwrite = o
				}
				return true
			}
		}
		return false
	}
	for _, w := range earlier {
		if w.Type != TypeOk || !check(w.Return) {
			stale = false
			break
		}
	}
	if stale && v.absent {
		stale = check(-1)
	}
	if stale && overwrite != nil {
		if v.absent {
			return fmt.Sprintf("It is a stale %s: the key stopped being absent with %s, which completed before this %s began.", verb, overwrite, verb)
		}
		return fmt.Sprintf("It is a stale %s: %s was replaced by %s, which completed before this %s began.", verb, v, overwrite, verb)
	}
	if r, w := newerRead(kh, op, v, earlier); r != nil {
		return fmt.Sprintf("It goes back in time: %s completed before this %s began and already saw %s, whose write %s began after every write of %s had completed.", r, verb, describeValue(r.Value), w, v)
	}
	return "No order of the writes before it leaves that value there."
}

// newerRead finds a read that completed before op began and saw a value w
// whose every write began after every write of v had completed: then v can
// no longer be there when op runs. It returns the read and a write of w.
func newerRead(kh *keyHistory, op *Operation, v *val, writersOfV []*Operation) (*Operation, *Operation) {
	if v.absent {
		return nil, nil // the initial absence has no write to compare with
	}
	for i := range kh.pops {
		r := kh.pops[i].op
		if kh.pops[i].kind != kRead || r.Return >= op.Call || kh.pops[i].value == v {
			continue
		}
		w := kh.pops[i].value
		var first *Operation
		ok := true
		for j := range kh.pops {
			ww := kh.pops[j].op
			if kh.pops[j].kind == kRead || kh.pops[j].kind == kCASNot || !writesValue(ww, w) {
				continue
			}
			if first == nil {
				first = ww
			}
			for _, wv := range writersOfV {
				if wv.Type != TypeOk || wv.Return >= ww.Call {
					ok = false
				}
			}
		}
		if ok && first != nil {
			return r, first
		}
	}
	return nil, nil
}

// writesValue reports whether op, if it took effect, left the key at v.
func writesValue(op *Operation, v *val) bool {
	switch op.F {
	case FSet, FCAS:
		return !v.absent && op.Value != nil && *op.Value == v.s
	case FDelete:
		return v.absent
	}
	return false
}

// allOps returns every operation of the key, including those left out of the search.
func (kh *keyHistory) allOps() []*Operation {
	ops := make([]*Operation, len(kh.idx))
	for i, j := range kh.idx {
		ops[i] = &kh.all[j]
	}
	return ops
}
