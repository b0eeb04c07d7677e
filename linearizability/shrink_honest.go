package linearizability

import (
	"math"
	"sort"
)

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
// that expected it). Each removal goes from a kept set K to a subset K':
//
//  1. Operations the model leaves out (failed or unknown gets, failed writes,
//     a cas that failed with an error) and observers (ok gets, the expect side
//     of a cas) may always go: removing an operation that does not change the
//     state from a linearization leaves a linearization.
//  2. A write x may go only if no operation of K' observes its value.
//     Take a linearization of K; the operations whose state changes when x
//     is left out are those between x and the next write, and only
//     observers of x's value notice. (An unknown cas that did not swap
//     where it was ordered is moved to the end first, which its unknown
//     outcome allows.)
//     For deletes, whose value "absent" is shared by all of them and by the
//     initial state, this would pin every delete while one read of absent
//     is kept, so it is refined: an observer o cannot be between x and the
//     next write when it returned before x was invoked (it comes before
//     x), or when a write of K that surely took effect (ok) was invoked
//     after x returned and returned before o was invoked (it comes between
//     them). The refinement is not applied to values: the second condition
//     holds only in a linearization, and a stale read is exactly a read
//     whose value was overwritten; dropping its write would still prove
//     the history wrong, but by turning the stale read into a read of a
//     value nobody wrote, a story the full history does not tell. Absent
//     never becomes "never written": the initial state is absent.
//  3. No write may go while a cas of K' that failed by finding another value
//     e (a "must not be e" step) could then find e: when e is absent or a
//     write of K' writes e. Dropping a write puts an earlier state where it
//     stood, and every state is absent or the value of a kept write; if none
//     of them is e, the cas still finds another value.
//
// Rather than reject a candidate that breaks rule 2, the shrinker repairs
// it: it adds back the writes the rule keeps, then drops the failed cas that
// rule 3 forbids (see close). The tests check the claim on random
// linearizable histories, and that without the rules it fails.
//
// The reasons of the explanation survive: a read keeps the writes that can
// explain what it read, so it never becomes "a value nobody wrote"; a stale
// read keeps the write that overwrote its value only if the violation needs
// it. Failed writes of a value some kept operation observes, when no kept
// write writes it, are added back at the end as context: they do not change
// the verdict, and the explanation ("only written by a write that failed")
// names them.

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
	casNot      bool // cas that failed, finding another value ov
	writes      bool // may change the state to wv
	definite    bool // writes, and surely took effect inside [call, ret]
	observes    bool // needs the state to be ov
	wv, ov      valueKey
	call, ret   int64 // ret is MaxInt64 when the outcome is unknown
}

func classify(op *Operation) opClass {
	c := opClass{call: op.Call, ret: op.Return}
	if op.Type == TypeInfo {
		c.ret = math.MaxInt64
	}
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
		c.writes, c.wv, c.definite = true, written, op.Type == TypeOk
		if op.F == FCAS {
			c.observes, c.ov = true, keyOf(op.Expect)
		}
	}
	return c
}

// overwrites indexes the definite writes of a kept set by invocation time,
// to find writes that real time puts between two operations (rule 2).
type overwrites struct {
	calls  []int64 // sorted
	minRet []int64 // minRet[i]: the earliest return of writes calls[i:]
}

func (s *shrinker) overwritesOf(kept []int) overwrites {
	var cs []opClass
	for _, i := range kept {
		if c := s.cls(i); c.definite {
			cs = append(cs, c)
		}
	}
	sort.Slice(cs, func(a, b int) bool { return cs[a].call < cs[b].call })
	ow := overwrites{calls: make([]int64, len(cs)), minRet: make([]int64, len(cs))}
	m := int64(math.MaxInt64)
	for j := len(cs) - 1; j >= 0; j-- {
		m = min(m, cs[j].ret)
		ow.calls[j], ow.minRet[j] = cs[j].call, m
	}
	return ow
}

// after returns the earliest return of a definite write invoked after t.
func (ow overwrites) after(t int64) int64 {
	j := sort.Search(len(ow.calls), func(j int) bool { return ow.calls[j] > t })
	if j == len(ow.calls) {
		return math.MaxInt64
	}
	return ow.minRet[j]
}

// mayShow reports whether observer o may have seen the state write x left
// (rule 2). For a value, always; for absent, unless o returned before x was
// invoked, or a definite write lies between them in real time.
func (ow overwrites) mayShow(x, o opClass) bool {
	if !x.wv.absent {
		return true
	}
	return o.ret >= x.call && (x.ret == math.MaxInt64 || ow.after(x.ret) >= o.call)
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
	observers := map[valueKey][]opClass{}
	written := map[valueKey]bool{}
	var notExpected []valueKey // what kept failed cas found the key was not
	for _, i := range cand {
		in[i] = true
		c := s.cls(i)
		if c.observes {
			observers[c.ov] = append(observers[c.ov], c)
		}
		if c.writes {
			written[c.wv] = true
		}
		if c.casNot {
			notExpected = append(notExpected, c.ov)
		}
	}
	ow := s.overwritesOf(kept)
	for _, i := range kept {
		if in[i] {
			continue
		}
		x := s.cls(i)
		if !x.writes {
			continue
		}
		wrote = true
		for _, o := range observers[x.wv] {
			if ow.mayShow(x, o) {
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
// kept, every write that rule 2 keeps, until nothing more is needed (a cas
// added back observes its expected value); then, if a write is still
// dropped, it drops the failed cas that rule 3 forbids to keep (dropping
// them is rule 1). The result is a subset of kept that the rules allow.
func (s *shrinker) close(kept, cand []int) []int {
	in := make(map[int]bool, len(cand))
	observers := map[valueKey][]opClass{}
	for _, i := range cand {
		in[i] = true
		if c := s.cls(i); c.observes {
			observers[c.ov] = append(observers[c.ov], c)
		}
	}
	ow := s.overwritesOf(kept)
	for grew := true; grew; {
		grew = false
		for _, i := range kept {
			x := s.cls(i)
			if in[i] || !x.writes {
				continue
			}
			for _, o := range observers[x.wv] {
				if ow.mayShow(x, o) {
					in[i], grew = true, true
					if x.observes {
						observers[x.ov] = append(observers[x.ov], x)
					}
					break
				}
			}
		}
	}
	written := map[valueKey]bool{}
	wrote := false
	for _, i := range kept {
		c := s.cls(i)
		if in[i] && c.writes {
			written[c.wv] = true
		}
		wrote = wrote || (!in[i] && c.writes)
	}
	out := make([]int, 0, len(in))
	for _, i := range kept {
		if c := s.cls(i); in[i] && !(wrote && c.casNot && (c.ov.absent || written[c.ov])) {
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
