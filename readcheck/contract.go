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
	// (readValues), computed once.
	wOf []int32
	// byRet: the operations that completed, in completion order.
	byRet []int32
	// flags: per op index, what the passes found (flagBad, ...).
	flags []uint8
	// call, ret, index and level: per op index, its Call, Return, Index and
	// read level (levelNumber) (compact copies: the passes that jump between
	// operations touch a few bytes, not an Operation).
	call, ret, index []int64
	level            []uint8
	// failedOf: for reads that returned a value written only by writes
	// that definitely failed, the last such write.
	failedOf map[int32]int32
	// nemesis: the 1-based lines of the nemesis events.
	nemesis []int32
}

const (
	// flagBad marks reads whose value checks (never written, future)
	// failed: later passes skip them.
	flagBad uint8 = 1 << iota
	// flagObserved marks writes whose value some read returned.
	flagObserved
	// flagResolved marks unknown writes a read proved applied.
	flagResolved
	// flagInfo marks operations whose outcome is unknown.
	flagInfo
	// flagDelete marks deletes, flagGet gets.
	flagDelete
	flagGet
)

func (c *checker) bad(op int32) bool      { return c.flags[op]&flagBad != 0 }
func (c *checker) observed(op int32) bool { return c.flags[op]&flagObserved != 0 }

// keyData is one key's operations.
type keyData struct {
	key string
	// writes: every set, delete and cas that may have taken effect (ok or
	// unknown), in invocation order.
	writes   []int32
	reads    []int32 // ok gets, in invocation order
	failed   []int32 // sets and cas that definitely did not take effect
	evidence bool    // every ok read and write carries an index
	iw       []int32 // with evidence: the acknowledged writes, by index
}

const ambiguous = -4 // a value written by more than one write

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
		kid: make([]int32, len(ops)), flags: make([]uint8, len(ops)),
		call: make([]int64, len(ops)), ret: make([]int64, len(ops)), index: make([]int64, len(ops)), level: make([]uint8, len(ops))}
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
			c.keys = append(c.keys, &keyData{key: op.Key, evidence: true})
		}
		c.kid[i] = id
		c.call[i], c.ret[i], c.index[i] = op.Call, op.Return, op.Index
		kd := c.keys[id]
		if op.F == L.FDelete {
			c.flags[i] |= flagDelete
		}
		if op.F == L.FGet {
			c.flags[i] |= flagGet
			li := levelNumber(op.ReadLevel())
			c.level[i] = uint8(li)
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
			c.flags[i] |= flagInfo
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

	c.readValues()
	c.byRet, c.nemesis = completionOrder(len(events), ops)
	rt := c.newRealTime()
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

// readValues finds, for every ok read, the write whose value it returned:
// wOf is its op index, or -1 for absent, ambiguous (several writes wrote
// it), -2 (never written) or -3 (written only by a write that definitely
// failed; failedOf names it). Values are hashed in two passes in history
// order (the strings lie in memory about in that order), into one map per
// key sized for its writes.
func (c *checker) readValues() {
	ops := c.ops
	vals := make([]map[string]int32, len(c.keys))
	for i := range ops {
		op := &ops[i]
		if op.F == L.FGet || op.F == L.FDelete || op.Value == nil || !applied(op) {
			continue
		}
		m := vals[c.kid[i]]
		if m == nil {
			m = make(map[string]int32, len(c.keys[c.kid[i]].writes))
			vals[c.kid[i]] = m
		}
		// One map operation when the value is new (the common case).
		n := len(m)
		m[*op.Value] = int32(i)
		if len(m) == n {
			m[*op.Value] = ambiguous
		}
	}
	var failed []map[string]int32 // built on first need
	for i := range ops {
		op := &ops[i]
		if op.F != L.FGet || op.Type != L.TypeOk {
			continue
		}
		if op.Value == nil {
			c.wOf[i] = -1
			continue
		}
		k := c.kid[i]
		if w, ok := vals[k][*op.Value]; ok {
			c.wOf[i] = w
			continue
		}
		c.wOf[i] = -2
		kd := c.keys[k]
		if len(kd.failed) == 0 {
			continue
		}
		if failed == nil {
			failed = make([]map[string]int32, len(c.keys))
		}
		if failed[k] == nil {
			failed[k] = make(map[string]int32, len(kd.failed))
			for _, f := range kd.failed {
				failed[k][*ops[f].Value] = f
			}
		}
		if f, ok := failed[k][*op.Value]; ok {
			c.wOf[i] = -3
			if c.failedOf == nil {
				c.failedOf = map[int32]int32{}
			}
			c.failedOf[int32(i)] = f
		}
	}
}

// values checks what every read returned against the writes alone: a value
// never written, or whose write began after the read returned. It marks
// observed writes and resolves unknown ones that a read proves applied; it
// returns how many it resolved.
func (c *checker) values(kd *keyData) (resolved int) {
	for _, ri := range kd.reads {
		w := c.wOf[ri]
		switch {
		case w == -2:
			r := &c.ops[ri]
			c.flags[ri] |= flagBad
			c.add(NeverWrittenRead, r, nil, nil, fmt.Sprintf(
				"%s read of %q on %s returned %s, which no operation ever wrote",
				r.ReadLevel(), r.Key, nodeName(r), show(r.Value)))
		case w == -3:
			r := &c.ops[ri]
			c.flags[ri] |= flagBad
			f := &c.ops[c.failedOf[ri]]
			c.add(NeverWrittenRead, r, []*L.Operation{f}, nil, fmt.Sprintf(
				"%s read of %q on %s returned %s, written only by a write that definitely failed",
				r.ReadLevel(), r.Key, nodeName(r), show(r.Value)))
		case w >= 0:
			if c.call[w] > c.ret[ri] {
				r, wo := &c.ops[ri], &c.ops[w]
				c.flags[ri] |= flagBad
				c.add(FutureRead, r, []*L.Operation{wo}, nil, fmt.Sprintf(
					"%s read of %q on %s returned %s at %s, but the write of that value was invoked only at %s, after the read returned",
					r.ReadLevel(), r.Key, nodeName(r), show(r.Value), ms(r.Return), ms(wo.Call)))
				continue
			}
			if c.flags[w]&(flagInfo|flagResolved) == flagInfo {
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
// sorting. The lines no operation holds are the nemesis events': it returns
// those too, so that no pass reads every event for them.
func completionOrder(events int, ops []L.Operation) (byRet, nemesis []int32) {
	at := make([]int32, events+1)
	for i := range ops {
		at[ops[i].Line] = -1
		if ops[i].ReturnLine > 0 {
			at[ops[i].ReturnLine] = int32(i) + 1
		}
	}
	byRet = make([]int32, 0, len(ops))
	nemesis = []int32{} // not nil: none (nil would mean every event to newIncarnations)
	for line, o := range at[1:] {
		switch {
		case o > 0:
			byRet = append(byRet, o-1)
		case o == 0:
			nemesis = append(nemesis, int32(line)+1)
		}
	}
	return byRet, nemesis
}
