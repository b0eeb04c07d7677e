package readcheck

import (
	"fmt"
	"math"
	"sort"

	L "github.com/raftlab/raftlab/linearizability"
)

// never is the return time of an operation that never completed, or whose
// outcome is unknown: it may take effect at any time after its invocation.
const never = math.MaxInt64

// checker holds one history's operations and what the passes found.
type checker struct {
	ops   []L.Operation
	keys  map[string]*keyData
	order []string // keys, sorted
	res   *Result
	// wOf: for each ok read (op index), the write whose value it returned
	// (keyData.writeOf), computed once.
	wOf []int32
	// byRet: the operations that completed, in completion order.
	byRet []int32
	// resolved marks unknown writes a read proved applied (op index).
	resolved map[int32]bool
}

// keyData is one key's operations.
type keyData struct {
	key string
	// writes: every set, delete and cas that may have taken effect (ok or
	// unknown), in invocation order; failed: values of writes that
	// definitely did not.
	writes  []int32
	reads   []int32 // ok gets, in invocation order
	byValue map[string]int32
	failed  map[string]int32
	// observed: writes whose value some read returned (op index).
	observed map[int32]bool
	evidence bool    // every ok read and write carries an index
	iw       []int32 // with evidence: the acknowledged writes, by index
	// lostOK marks reads whose value checks (never written, future) failed:
	// later passes skip them.
	bad map[int32]bool
}

const ambiguous = -4 // a value written by more than one write

func isWrite(op *L.Operation) bool { return op.F != L.FGet }

// applied reports whether a write may have taken effect.
func applied(op *L.Operation) bool { return op.Type == L.TypeOk || op.Type == L.TypeInfo }

// ret is the operation's return time, never for an unknown outcome.
func ret(op *L.Operation) int64 {
	if op.Type == L.TypeInfo {
		return never
	}
	return op.Return
}

// contracts runs every contract check except porcupine's.
func contracts(events []L.Event, ops []L.Operation) *Result {
	c := &checker{ops: ops, keys: map[string]*keyData{}, res: &Result{Operations: len(ops)}, resolved: map[int32]bool{}, wOf: make([]int32, len(ops))}
	levelIdx := map[string]int{}
	for _, l := range Levels {
		levelIdx[l] = -1
	}
	var reads [3]int
	var okReads [3]int
	present := [3]bool{}
	for i := range ops {
		op := &ops[i]
		kd := c.keys[op.Key]
		if kd == nil {
			kd = &keyData{key: op.Key, byValue: map[string]int32{}, evidence: true}
			c.keys[op.Key] = kd
		}
		if op.F == L.FGet {
			li := levelNumber(op.ReadLevel())
			present[li] = true
			reads[li]++
			if op.Type != L.TypeOk {
				continue
			}
			okReads[li]++
			kd.reads = append(kd.reads, int32(i))
			if op.Index > 0 {
				c.res.Evidence = true
			} else {
				kd.evidence = false
			}
			continue
		}
		if op.Type == L.TypeOk {
			if op.Index > 0 {
				c.res.Evidence = true
			} else {
				kd.evidence = false
			}
		}
		if op.Type == L.TypeInfo {
			c.res.UnknownWrites++
		}
		if op.F == L.FDelete {
			if applied(op) {
				kd.writes = append(kd.writes, int32(i))
			}
			continue
		}
		if op.Value == nil { // cannot happen: the reader requires it
			continue
		}
		if !applied(op) {
			if kd.failed == nil {
				kd.failed = map[string]int32{}
			}
			kd.failed[*op.Value] = int32(i)
			continue
		}
		kd.writes = append(kd.writes, int32(i))
		if _, dup := kd.byValue[*op.Value]; dup {
			kd.byValue[*op.Value] = ambiguous
		} else {
			kd.byValue[*op.Value] = int32(i)
		}
	}
	for i, l := range Levels {
		if present[i] {
			c.res.Levels = append(c.res.Levels, LevelResult{Level: l, Reads: reads[i], OkReads: okReads[i]})
		}
	}
	c.order = make([]string, 0, len(c.keys))
	for k, kd := range c.keys {
		c.order = append(c.order, k)
		if len(kd.reads) == 0 && !hasAcked(ops, kd) {
			kd.evidence = false
		}
	}
	sort.Strings(c.order)
	c.res.Keys = len(c.order)

	c.byRet = completionOrder(len(events), ops)
	rt := newRealTime(ops, c.byRet)
	for _, k := range c.order {
		kd := c.keys[k]
		c.values(kd)
		if kd.evidence && c.res.Evidence {
			c.res.EvidenceKeys++
			c.byIndex(kd, rt)
		} else {
			c.recency(kd)
		}
	}
	if c.res.Evidence {
		c.indexRealTime(rt)
	}
	c.monotonic(events)
	c.res.ResolvedWrites = len(c.resolved)
	return c.res
}

func hasAcked(ops []L.Operation, kd *keyData) bool {
	for _, i := range kd.writes {
		if ops[i].Type == L.TypeOk {
			return true
		}
	}
	return false
}

func levelNumber(l string) int {
	switch l {
	case L.LevelLeader:
		return 1
	case L.LevelStale:
		return 2
	}
	return 0
}

// add records an anomaly; read is the offending read (nil: none).
func (c *checker) add(kind Kind, read *L.Operation, others []*L.Operation, indexes []int64, text string) {
	a := Anomaly{Kind: kind, Text: text, Indexes: indexes}
	all := others
	if read != nil {
		all = append([]*L.Operation{read}, others...)
		a.Level, a.Node, a.Incarnation, a.Key = read.ReadLevel(), read.Node, read.Incarnation, read.Key
		a.Time = read.Return
	}
	for _, op := range all {
		a.Ops = append(a.Ops, ref(op))
		if a.Key == "" {
			a.Key = op.Key
		}
		if read == nil && op.Return > a.Time {
			a.Time = op.Return
		}
	}
	c.res.Anomalies = append(c.res.Anomalies, a)
}

// writeOf returns the write whose value read returned: its op index, or -1
// for absent, or ambiguous / -2 (never written) / -3 (written only by a failed write).
func (kd *keyData) writeOf(read *L.Operation) int32 {
	if read.Value == nil {
		return -1
	}
	if w, ok := kd.byValue[*read.Value]; ok {
		return w
	}
	if _, ok := kd.failed[*read.Value]; ok {
		return -3
	}
	return -2
}

// values checks what every read returned against the writes alone: a value
// never written, or whose write began after the read returned. It marks
// observed writes and resolves unknown ones that a read proves applied.
func (c *checker) values(kd *keyData) {
	kd.observed = map[int32]bool{}
	kd.bad = map[int32]bool{}
	for _, ri := range kd.reads {
		r := &c.ops[ri]
		w := kd.writeOf(r)
		c.wOf[ri] = w
		switch {
		case w == -2:
			kd.bad[ri] = true
			c.add(NeverWrittenRead, r, nil, nil, fmt.Sprintf(
				"%s read of %q on %s returned %s, which no operation ever wrote",
				r.ReadLevel(), r.Key, nodeName(r), show(r.Value)))
		case w == -3:
			kd.bad[ri] = true
			f := &c.ops[kd.failed[*r.Value]]
			c.add(NeverWrittenRead, r, []*L.Operation{f}, nil, fmt.Sprintf(
				"%s read of %q on %s returned %s, written only by a write that definitely failed",
				r.ReadLevel(), r.Key, nodeName(r), show(r.Value)))
		case w >= 0:
			wo := &c.ops[w]
			if wo.Call > r.Return {
				kd.bad[ri] = true
				c.add(FutureRead, r, []*L.Operation{wo}, nil, fmt.Sprintf(
					"%s read of %q on %s returned %s at %s, but the write of that value was invoked only at %s, after the read returned",
					r.ReadLevel(), r.Key, nodeName(r), show(r.Value), ms(r.Return), ms(wo.Call)))
				continue
			}
			kd.observed[w] = true
			if wo.Type == L.TypeInfo {
				c.resolved[w] = true
			}
		}
	}
}

func nodeName(op *L.Operation) string {
	if op.Node == "" {
		return "an unnamed node"
	}
	return op.Node
}

// ms renders a history time for people.
func ms(ns int64) string {
	switch {
	case ns == never || ns < 0:
		return "never"
	case ns < 1e3:
		return fmt.Sprintf("%d ns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.3g µs", float64(ns)/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.4g ms", float64(ns)/1e6)
	default:
		return fmt.Sprintf("%.4g s", float64(ns)/1e9)
	}
}

// completionOrder lists the operations that completed in the order of their
// completions, read off the history's lines (which are in time order): no
// sorting.
func completionOrder(events int, ops []L.Operation) []int32 {
	at := make([]int32, events+1)
	for i := range ops {
		if ops[i].ReturnLine > 0 {
			at[ops[i].ReturnLine] = int32(i) + 1
		}
	}
	out := make([]int32, 0, len(ops))
	for _, o := range at {
		if o > 0 {
			out = append(out, o-1)
		}
	}
	return out
}
