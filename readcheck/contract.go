package readcheck

import (
	"fmt"
	"math"
	"slices"
	"strings"

	L "github.com/raftlab/raftlab/linearizability"
)

// never is the return time of an operation that never completed, or whose
// outcome is unknown: it may take effect at any time after its invocation.
const never = math.MaxInt64

// checker holds one history's operations and what the passes found. Keys
// and values are looked up by string once per operation; the passes work on
// op indexes, key numbers and flags in slices (a million operations: string
// maps in the passes cost more than the checks).
type checker struct {
	ops  []L.Operation
	keys []*keyData // by key number, in order of first appearance
	kid  []int32    // op index → key number
	res  *Result
	// wOf: for each ok read (op index), the write whose value it returned
	// (writeOf), computed once.
	wOf []int32
	// byRet: the operations that completed, in completion order.
	byRet []int32
	// flags: per op index, what the passes found (flagBad, ...).
	flags []uint8
}

const (
	// flagBad marks reads whose value checks (never written, future)
	// failed: later passes skip them.
	flagBad uint8 = 1 << iota
	// flagObserved marks writes whose value some read returned.
	flagObserved
	// flagResolved marks unknown writes a read proved applied.
	flagResolved
)

func (c *checker) bad(op int32) bool      { return c.flags[op]&flagBad != 0 }
func (c *checker) observed(op int32) bool { return c.flags[op]&flagObserved != 0 }

// keyData is one key's operations.
type keyData struct {
	key string
	// writes: every set, delete and cas that may have taken effect (ok or
	// unknown), in invocation order; failed: values of writes that
	// definitely did not.
	writes   []int32
	reads    []int32 // ok gets, in invocation order
	failed   []int32 // sets and cas that definitely did not take effect
	id       int32   // key number
	evidence bool    // every ok read and write carries an index
	iw       []int32 // with evidence: the acknowledged writes, by index
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
	c := &checker{ops: ops, res: &Result{Operations: len(ops)}, wOf: make([]int32, len(ops)),
		kid: make([]int32, len(ops)), flags: make([]uint8, len(ops))}
	keyID := map[string]int32{}
	var reads [3]int
	var okReads [3]int
	present := [3]bool{}
	for i := range ops {
		op := &ops[i]
		id, ok := keyID[op.Key]
		if !ok {
			id = int32(len(c.keys))
			keyID[op.Key] = id
			c.keys = append(c.keys, &keyData{key: op.Key, id: id, evidence: true})
		}
		c.kid[i] = id
		kd := c.keys[id]
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
			kd.failed = append(kd.failed, int32(i))
			continue
		}
		kd.writes = append(kd.writes, int32(i))
	}
	for i, l := range Levels {
		if present[i] {
			c.res.Levels = append(c.res.Levels, LevelResult{Level: l, Reads: reads[i], OkReads: okReads[i]})
		}
	}
	order := make([]*keyData, len(c.keys))
	copy(order, c.keys)
	for _, kd := range order {
		if len(kd.reads) == 0 && !hasAcked(ops, kd) {
			kd.evidence = false
		}
	}
	slices.SortFunc(order, func(a, b *keyData) int { return strings.Compare(a.key, b.key) })
	c.res.Keys = len(order)

	c.byRet = completionOrder(len(events), ops)
	rt := newRealTime(ops, c.byRet)
	resolved := 0
	for _, kd := range order {
		resolved += c.values(kd)
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
	c.res.ResolvedWrites = resolved
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

// keyValues maps one key's values to the writes that wrote them. It is
// built per key when its reads are checked, so that its lookups stay in
// cache (one map over every key's values cost twice as much).
type keyValues struct {
	byValue map[string]int32 // → the write that may have taken effect (ambiguous when several)
	failed  map[string]int32 // → the (last) write that definitely did not; built on first need
}

func (c *checker) keyValues(kd *keyData) *keyValues {
	kv := &keyValues{byValue: make(map[string]int32, len(kd.writes))}
	for _, w := range kd.writes {
		op := &c.ops[w]
		if op.F == L.FDelete {
			continue
		}
		// One map operation when the value is new (the common case).
		n := len(kv.byValue)
		kv.byValue[*op.Value] = w
		if len(kv.byValue) == n {
			kv.byValue[*op.Value] = ambiguous
		}
	}
	return kv
}

// failedWrite returns the write that definitely failed with value v, or -1.
func (kv *keyValues) failedWrite(ops []L.Operation, kd *keyData, v string) int32 {
	if len(kd.failed) == 0 {
		return -1
	}
	if kv.failed == nil {
		kv.failed = make(map[string]int32, len(kd.failed))
		for _, f := range kd.failed {
			kv.failed[*ops[f].Value] = f
		}
	}
	if f, ok := kv.failed[v]; ok {
		return f
	}
	return -1
}

// writeOf returns the write whose value read returned: its op index, or -1
// for absent, or ambiguous / -2 (never written) / -3 (written only by a
// failed write).
func (kv *keyValues) writeOf(ops []L.Operation, kd *keyData, read *L.Operation) int32 {
	if read.Value == nil {
		return -1
	}
	if w, ok := kv.byValue[*read.Value]; ok {
		return w
	}
	if kv.failedWrite(ops, kd, *read.Value) >= 0 {
		return -3
	}
	return -2
}

// values checks what every read returned against the writes alone: a value
// never written, or whose write began after the read returned. It marks
// observed writes and resolves unknown ones that a read proves applied; it
// returns how many it resolved.
func (c *checker) values(kd *keyData) (resolved int) {
	if len(kd.reads) == 0 {
		return 0
	}
	kv := c.keyValues(kd)
	for _, ri := range kd.reads {
		r := &c.ops[ri]
		w := kv.writeOf(c.ops, kd, r)
		c.wOf[ri] = w
		switch {
		case w == -2:
			c.flags[ri] |= flagBad
			c.add(NeverWrittenRead, r, nil, nil, fmt.Sprintf(
				"%s read of %q on %s returned %s, which no operation ever wrote",
				r.ReadLevel(), r.Key, nodeName(r), show(r.Value)))
		case w == -3:
			c.flags[ri] |= flagBad
			f := &c.ops[kv.failedWrite(c.ops, kd, *r.Value)]
			c.add(NeverWrittenRead, r, []*L.Operation{f}, nil, fmt.Sprintf(
				"%s read of %q on %s returned %s, written only by a write that definitely failed",
				r.ReadLevel(), r.Key, nodeName(r), show(r.Value)))
		case w >= 0:
			wo := &c.ops[w]
			if wo.Call > r.Return {
				c.flags[ri] |= flagBad
				c.add(FutureRead, r, []*L.Operation{wo}, nil, fmt.Sprintf(
					"%s read of %q on %s returned %s at %s, but the write of that value was invoked only at %s, after the read returned",
					r.ReadLevel(), r.Key, nodeName(r), show(r.Value), ms(r.Return), ms(wo.Call)))
				continue
			}
			if wo.Type == L.TypeInfo && c.flags[w]&flagResolved == 0 {
				c.flags[w] |= flagResolved
				resolved++
			}
			c.flags[w] |= flagObserved
		}
	}
	return resolved
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
