package linearizability

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/anishathalye/porcupine"
)

// val is an interned value of one key. Every key has its own table, whose
// entry 0 is "absent"; a state of the model is a *val, so states compare by
// pointer and hash by id.
type val struct {
	id     int32
	absent bool
	s      string
}

func (v *val) String() string {
	if v.absent {
		return "absent"
	}
	return fmt.Sprintf("%q", v.s)
}

func (v *val) ptr() *string {
	if v.absent {
		return nil
	}
	s := v.s
	return &s
}

// absentV is the state "absent", shared by every key so that partitions
// checked together (for pictures) start from the same Init.
var absentV = &val{id: 0, absent: true}

// opKind is what an operation means to the model once its outcome is known.
type opKind uint8

const (
	kRead     opKind = iota // get ok: the state must be value
	kWrite                  // set or delete that took effect (ok), or may have (unknown): the state becomes value
	kCAS                    // cas ok: the state must be expect, and becomes value
	kCASNot                 // cas fail without "error": the state must not be expect
	kCASMaybe               // cas with unknown outcome: if the state is expect it becomes value
)

// pop is the porcupine input of one operation.
type pop struct {
	kind    opKind
	unknown bool
	value   *val
	expect  *val
	op      *Operation
}

// step is the sequential specification of one key.
func step(s *val, p *pop) (bool, *val) {
	switch p.kind {
	case kRead:
		return s == p.value, s
	case kWrite:
		return true, p.value
	case kCAS:
		if s == p.expect {
			return true, p.value
		}
		return false, s
	case kCASNot:
		return s != p.expect, s
	default: // kCASMaybe
		if s == p.expect {
			return true, p.value
		}
		return true, s
	}
}

// keyHistory is one key's partition, ready for porcupine.
type keyHistory struct {
	key     string
	absent  *val
	pops    []pop
	ops     []porcupine.Operation
	total   int         // operations on the key in the history
	unknown int         // of which outcome unknown
	dropped int         // of which constrain nothing (failed or unknown gets, failed writes, cas failed with an error)
	pruned  int         // unknown writes left out because nothing ever observed their value
	idx     []int       // the key's operations, indices into all
	all     []Operation // the whole history's operations
}

// prepareKey turns the operations of one key (indices into all, in
// invocation order) into porcupine operations. end is the latest time of the
// whole history; unknown operations return just after it. With prune, unknown
// writes whose value nobody observed are left out (see the package doc).
func prepareKey(key string, idx []int, all []Operation, end int64, prune bool) *keyHistory {
	kh := &keyHistory{key: key, total: len(idx), idx: idx, all: all}
	// Intern values: pass 1 numbers them (0 is absent), pass 2 builds the table.
	ids := make(map[string]int32, len(idx)/2+1)
	num := func(s *string) int32 {
		if s == nil {
			return 0
		}
		id, ok := ids[*s]
		if !ok {
			id = int32(len(ids) + 1)
			ids[*s] = id
		}
		return id
	}
	valueID := make([]int32, 2*len(idx))
	for j, i := range idx {
		op := &all[i]
		valueID[2*j], valueID[2*j+1] = num(op.Value), num(op.Expect)
	}
	vals := make([]val, len(ids)+1) // vals[0] is unused: absentV stands for it
	for s, id := range ids {
		vals[id] = val{id: id, s: s}
	}
	ptr := func(id int32) *val {
		if id == 0 {
			return absentV
		}
		return &vals[id]
	}
	kh.absent = absentV

	kh.pops = make([]pop, 0, len(idx))
	hasCASNot := false
	for j, i := range idx {
		op := &all[i]
		value, expect := ptr(valueID[2*j]), ptr(valueID[2*j+1])
		unknown := op.Type == TypeInfo
		if unknown {
			kh.unknown++
		}
		p := pop{unknown: unknown, op: op}
		switch {
		case op.F == FGet && op.Type == TypeOk:
			p.kind, p.value = kRead, value
		case op.F == FGet, op.Type == TypeFail && op.F != FCAS, op.Type == TypeFail && op.Error != "":
			kh.dropped++
			continue
		case op.F == FSet:
			p.kind, p.value = kWrite, value
		case op.F == FDelete:
			p.kind, p.value = kWrite, absentV
		case op.Type == TypeOk: // cas
			p.kind, p.value, p.expect = kCAS, value, expect
		case op.Type == TypeFail: // cas, no error: found another value
			p.kind, p.expect = kCASNot, expect
			hasCASNot = true
		default: // cas, unknown
			p.kind, p.value, p.expect = kCASMaybe, value, expect
		}
		kh.pops = append(kh.pops, p)
	}

	if prune && !hasCASNot {
		observed := make([]bool, len(vals))
		for i := range kh.pops {
			p := &kh.pops[i]
			switch p.kind {
			case kRead:
				observed[p.value.id] = true
			case kCAS, kCASMaybe:
				observed[p.expect.id] = true
			}
		}
		kept := kh.pops[:0]
		for _, p := range kh.pops {
			if p.unknown && !observed[p.value.id] {
				kh.pruned++
				continue
			}
			kept = append(kept, p)
		}
		kh.pops = kept
	}

	kh.ops = make([]porcupine.Operation, len(kh.pops))
	for i := range kh.pops {
		p := &kh.pops[i]
		ret := p.op.Return
		if p.unknown {
			ret = end + 1
		}
		kh.ops[i] = porcupine.Operation{ClientId: p.op.Process, Input: p, Call: p.op.Call, Return: ret, Metadata: p.op}
	}
	return kh
}

// model returns the porcupine model of one key. When abort is set, every
// step fails, which makes porcupine unwind its search quickly; the caller
// must then distrust an Illegal answer (an Ok answer stays true, because
// failing steps only remove orders).
func (kh *keyHistory) model(abort *atomic.Bool) porcupine.Model {
	absent := kh.absent
	m := porcupine.Model{
		Init: func() interface{} { return absent },
		Step: func(state, input, _ interface{}) (bool, interface{}) {
			if abort != nil && abort.Load() {
				return false, state
			}
			ok, next := step(state.(*val), input.(*pop))
			return ok, next
		},
		Hash:                      func(state interface{}) uint64 { return uint64(state.(*val).id) },
		DescribeOperation:         func(input, _ interface{}) string { return describePop(input.(*pop)) },
		DescribeState:             func(state interface{}) string { return state.(*val).String() },
		DescribeOperationMetadata: describeMetadata,
	}
	return m
}

func describePop(p *pop) string {
	op := p.op
	var s string
	switch p.kind {
	case kRead:
		s = fmt.Sprintf("get(%s) → %s", op.Key, p.value)
	case kWrite:
		if op.F == FDelete {
			s = fmt.Sprintf("delete(%s)", op.Key)
		} else {
			s = fmt.Sprintf("set(%s, %s)", op.Key, p.value)
		}
	case kCAS:
		s = fmt.Sprintf("cas(%s, %s→%s)", op.Key, p.expect, p.value)
	case kCASNot:
		s = fmt.Sprintf("cas(%s, %s→%s) ✗ found ≠ %s", op.Key, p.expect, describeValue(op.Value), p.expect)
	case kCASMaybe:
		s = fmt.Sprintf("cas(%s, %s→%s)", op.Key, p.expect, p.value)
	}
	if p.unknown {
		if op.Open {
			s += " ? no reply"
		} else {
			s += " ? unknown"
		}
	}
	return s
}

func describeMetadata(m interface{}) string {
	op, ok := m.(*Operation)
	if !ok || op == nil {
		return ""
	}
	parts := []string{fmt.Sprintf("process %d", op.Process)}
	if op.Node != "" {
		parts = append(parts, "node "+op.Node)
	}
	if op.ReturnLine > 0 {
		parts = append(parts, fmt.Sprintf("lines %d–%d", op.Line, op.ReturnLine))
	} else {
		parts = append(parts, fmt.Sprintf("line %d, never completed", op.Line))
	}
	if op.Type == TypeInfo && !op.Open {
		parts = append(parts, fmt.Sprintf("info at %s", fmtTime(op.Return)))
	}
	if op.Error != "" {
		parts = append(parts, "error: "+op.Error)
	}
	return strings.Join(parts, ", ")
}
