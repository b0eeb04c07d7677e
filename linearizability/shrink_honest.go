package linearizability

import "sort"

// Which removals keep a counterexample honest.
//
// A sub-history can be not linearizable for a reason the full history does
// not have: drop the write whose value a read returned and the read becomes
// "a value nobody wrote". Such a counterexample would blame the store for a
// bug the shrinker made. So the shrinker only makes removals after which the
// sub-history's failure implies the full history's: if the full history has a
// linearization, so does the sub-history. Then whatever violation the small
// history shows, the big one has too, and a reader can trust the small one.
//
// Rules (a "write" is a set, delete or cas that took effect or may have: ok
// or unknown outcome; its value is what it leaves, "absent" for a delete; an
// "observer" of a value is an ok get that read it, or a cas, ok or unknown,
// that expected it):
//
//  1. Operations the model leaves out (failed or unknown gets, failed writes,
//     a cas that failed with an error) and observers (ok gets, the expect side
//     of a cas) may always go: removing an operation that does not change the
//     state from a linearization leaves a linearization.
//  2. A write may go only if no kept operation observes its value. In a
//     linearization of the full history, the operations that saw the state
//     this write left are exactly observers of its value; if none is kept,
//     dropping the write changes no kept operation's outcome. (An unknown cas
//     that did not swap where it was ordered is moved to the end first, which
//     its unknown outcome allows.)
//  3. No write may go while a kept cas that failed by finding another value
//     e (a "must not be e" step) could then find e: when e is absent or a
//     kept write writes e. Dropping a write puts an earlier state where it
//     stood, and every state is absent or the value of a kept write; if
//     none of them is e, the cas still finds another value.
//
// With rules 2 and 3 the reasons of the explanation survive: a read keeps
// every write of the value it read, and a stale read keeps the write that
// overwrote its value only if that write is still needed to fail, never
// because the shrinker invented a gap. Failed writes of a value some kept
// operation observes, when no kept write writes it, are added back at the end
// as context: they do not change the verdict, and the explanation ("only
// written by a write that failed") names them.

// valueKey is a key's value for comparisons: a string, or absent.
type valueKey struct {
	absent bool
	s      string
}

func keyOf(v *string) valueKey {
	if v == nil {
		return valueKey{absent: true}
	}
	return valueKey{s: *v}
}

// opClass is what an operation means for honest removals.
type opClass struct {
	inert       bool // left out by the model
	failedWrite bool // inert, a write that failed; value in wv
	casNot      bool // cas that failed, finding another value
	writes      bool // may change the state to wv
	observes    bool // needs the state to be ov
	wv, ov      valueKey
}

func classify(op *Operation) opClass {
	var c opClass
	written := keyOf(op.Value)
	if op.F == FDelete {
		written = valueKey{absent: true}
	}
	switch {
	case op.F == FGet && op.Type == TypeOk:
		c.observes, c.ov = true, keyOf(op.Value)
	case op.F == FGet:
		c.inert = true
	case op.Type == TypeFail && (op.F != FCAS || op.Error != ""):
		c.inert, c.failedWrite, c.wv = true, true, written
	case op.Type == TypeFail: // cas, found another value; ov is what it did not find
		c.casNot, c.ov = true, keyOf(op.Expect)
	default: // set, delete or cas, ok or unknown
		c.writes, c.wv = true, written
		if op.F == FCAS {
			c.observes, c.ov = true, keyOf(op.Expect)
		}
	}
	return c
}

func (s *shrinker) cls(i int) opClass {
	c, ok := s.class[i]
	if !ok {
		c = classify(&s.h.ops[i])
		s.class[i] = c
	}
	return c
}

// inert drops the operations the model leaves out: the verdict cannot change.
func (s *shrinker) inert(idx []int) []int {
	kept := make([]int, 0, len(idx))
	for _, i := range idx {
		if !s.cls(i).inert {
			kept = append(kept, i)
		}
	}
	return kept
}

// honest reports whether going from kept to cand (a subset) follows the
// rules above, and whether it drops a write.
func (s *shrinker) honest(kept, cand []int) (wrote, ok bool) {
	in := make(map[int]bool, len(cand))
	observed, written := map[valueKey]bool{}, map[valueKey]bool{}
	var notExpected []valueKey // what kept failed cas found the key was not
	for _, i := range cand {
		in[i] = true
		c := s.cls(i)
		if c.observes {
			observed[c.ov] = true
		}
		if c.writes {
			written[c.wv] = true
		}
		if c.casNot {
			notExpected = append(notExpected, c.ov)
		}
	}
	for _, i := range kept {
		if in[i] {
			continue
		}
		if c := s.cls(i); c.writes {
			wrote = true
			if observed[c.wv] {
				return wrote, false
			}
		}
	}
	if wrote {
		for _, e := range notExpected {
			if e.absent || written[e] {
				return wrote, false
			}
		}
	}
	return wrote, true
}

// close repairs a candidate instead of rejecting it: it adds back, from
// kept, every write whose value the candidate observes (rule 2), until
// nothing more is needed (a cas added back observes its expected value);
// then, if a write is still dropped, it drops the failed cas that rule 3
// forbids to keep (dropping them is rule 1). The result is a subset of kept
// that the rules allow.
func (s *shrinker) close(kept, cand []int) []int {
	cand = s.addWriters(kept, cand)
	in := make(map[int]bool, len(cand))
	written := map[valueKey]bool{}
	for _, i := range cand {
		in[i] = true
		if c := s.cls(i); c.writes {
			written[c.wv] = true
		}
	}
	wrote := false
	for _, i := range kept {
		if !in[i] && s.cls(i).writes {
			wrote = true
			break
		}
	}
	if !wrote {
		return cand
	}
	out := cand[:0:0]
	for _, i := range cand {
		if c := s.cls(i); c.casNot && (c.ov.absent || written[c.ov]) {
			continue
		}
		out = append(out, i)
	}
	return out
}

// addWriters adds to cand the writes of kept whose value it observes.
func (s *shrinker) addWriters(kept, cand []int) []int {
	in := make(map[int]bool, len(cand))
	observed := map[valueKey]bool{}
	for _, i := range cand {
		in[i] = true
		if c := s.cls(i); c.observes {
			observed[c.ov] = true
		}
	}
	added := false
	for grew := true; grew; {
		grew = false
		for _, i := range kept {
			if c := s.cls(i); !in[i] && c.writes && observed[c.wv] {
				in[i], added, grew = true, true, true
				if c.observes && !observed[c.ov] {
					observed[c.ov] = true
				}
			}
		}
	}
	if !added {
		return cand
	}
	out := make([]int, 0, len(in))
	for _, i := range kept {
		if in[i] {
			out = append(out, i)
		}
	}
	return out
}

// withContext adds back the failed writes of values that kept operations
// observe and no kept write writes, in invocation order.
func (s *shrinker) withContext(kept []int) []int {
	observed, written := map[valueKey]bool{}, map[valueKey]bool{}
	in := map[int]bool{}
	for _, i := range kept {
		in[i] = true
		c := s.cls(i)
		if c.observes {
			observed[c.ov] = true
		}
		if c.writes {
			written[c.wv] = true
		}
	}
	out := kept
	for _, i := range s.h.byKey[s.key] {
		if c := s.cls(i); !in[i] && c.failedWrite && observed[c.wv] && !written[c.wv] {
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out
}
