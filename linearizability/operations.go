package linearizability

import (
	"fmt"
	"sort"
	"strings"
)

// An Operation is an invocation paired with its completion: one row of the
// picture, one step of an explanation.
type Operation struct {
	Process int     `json:"process"`
	F       string  `json:"f"`
	Key     string  `json:"key"`
	Value   *string `json:"value"`            // set: written; cas: new value; get: read (ok only, nil when absent)
	Expect  *string `json:"expect,omitempty"` // cas only
	// Type is the completion type: ok, fail or info. An invocation that the
	// history never completes has Type "info" and Open set.
	Type  string `json:"type"`
	Open  bool   `json:"open,omitempty"`
	Error string `json:"error,omitempty"`
	Node  string `json:"node,omitempty"`
	// Call and Return are the times of the invocation and completion (Return
	// is -1 for an open invocation). Line and ReturnLine are their 1-based
	// positions in the history (ReturnLine 0 when open).
	Call       int64 `json:"call"`
	Return     int64 `json:"return"`
	Line       int   `json:"line"`
	ReturnLine int   `json:"return_line,omitempty"`
	// Level is a get's read level as recorded (empty: linearizable); Index
	// and Incarnation the store's evidence on its ok completion (0 and
	// empty when none). See [Event].
	Level       string `json:"level,omitempty"`
	Index       int64  `json:"index,omitempty"`
	Incarnation string `json:"incarnation,omitempty"`
}

// ReadLevel returns a get's read level, linearizable when none was recorded.
func (o *Operation) ReadLevel() string {
	if o.Level == "" {
		return LevelLinearizable
	}
	return o.Level
}

// Unknown reports whether the operation's outcome is unknown (info or no
// completion).
func (o *Operation) Unknown() bool { return o.Type == TypeInfo }

// String describes the operation in plain words, for example
// `process 3 set "k1" = "v7" (ok, line 12, 1.2ms–2.5ms)`.
func (o *Operation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "process %d ", o.Process)
	switch o.F {
	case FGet:
		fmt.Fprintf(&b, "get %q", o.Key)
		if o.Type == TypeOk {
			fmt.Fprintf(&b, " → %s", describeValue(o.Value))
		}
	case FSet:
		fmt.Fprintf(&b, "set %q = %s", o.Key, describeValue(o.Value))
	case FDelete:
		fmt.Fprintf(&b, "delete %q", o.Key)
	case FCAS:
		fmt.Fprintf(&b, "cas %q %s→%s", o.Key, describeValue(o.Expect), describeValue(o.Value))
	}
	outcome := o.Type
	switch {
	case o.Open:
		outcome = "no reply"
	case o.Outcome() == OutcomeMismatch:
		outcome = "fail: found another value"
	case o.Error != "":
		outcome += ": " + o.Error
	}
	fmt.Fprintf(&b, " (%s, line %d, %s–", outcome, o.Line, fmtTime(o.Call))
	if o.Open {
		b.WriteString("end)")
	} else {
		fmt.Fprintf(&b, "%s)", fmtTime(o.Return))
	}
	return b.String()
}

func describeValue(v *string) string {
	if v == nil {
		return "absent"
	}
	return fmt.Sprintf("%q", *v)
}

// validator checks a history in order, one event at a time, and pairs
// invocations with completions.
type validator struct {
	procs   procSlots // process → its outstanding invocation, or the line that retired it
	last    int64
	lastSet bool
	keep    bool // build ops and nemesis (the Reader only validates)
	ops     []Operation
	nemesis []nemesisEvent
	end     int64
}

type openOp struct {
	f, key string
	line   int
	idx    int // index in ops when keep
}

// procSlots holds each client process's state while a history is
// validated: a slice for the small numbers recorders use, a map beyond (a
// map alone cost a third of pairing a million operations).
type procSlots struct {
	dense  []procSlot
	sparse map[int]*procSlot
}

type procSlot struct {
	open        openOp
	outstanding bool
	retired     int // line of the info completion that retired it, 0 if none
}

const denseProcs = 1 << 16

func (p *procSlots) get(process int) *procSlot {
	if process < denseProcs {
		if process >= len(p.dense) {
			p.dense = append(p.dense, make([]procSlot, process+1-len(p.dense))...)
		}
		return &p.dense[process]
	}
	if p.sparse == nil {
		p.sparse = map[int]*procSlot{}
	}
	s := p.sparse[process]
	if s == nil {
		s = &procSlot{}
		p.sparse[process] = s
	}
	return s
}

type nemesisEvent struct {
	Event
	Line int
}

func newValidator() validator {
	return validator{}
}

// add validates e, which is on the given 1-based line, against what came before.
func (v *validator) add(e *Event, line int) error {
	if err := checkShape(e); err != nil {
		return &LineError{Line: line, Err: err}
	}
	if v.lastSet && e.Time < v.last {
		return &LineError{Line: line, Err: fmt.Errorf("time goes backwards: %d after %d on the line before", e.Time, v.last)}
	}
	v.last, v.lastSet = e.Time, true
	if e.Time > v.end {
		v.end = e.Time
	}
	if e.IsNemesis() {
		if v.keep {
			v.nemesis = append(v.nemesis, nemesisEvent{Event: *e, Line: line})
		}
		return nil
	}
	slot := v.procs.get(e.Process)
	if l := slot.retired; l > 0 {
		return &LineError{Line: line, Err: fmt.Errorf("process %d was retired by its info completion on line %d; a client continues under a fresh process number", e.Process, l)}
	}
	o, outstanding := slot.open, slot.outstanding
	if e.Type == TypeInvoke {
		if outstanding {
			return &LineError{Line: line, Err: fmt.Errorf("process %d invokes %s while its %s from line %d is still outstanding", e.Process, e.F, o.f, o.line)}
		}
		o = openOp{f: e.F, key: e.Key, line: line, idx: -1}
		if v.keep {
			o.idx = len(v.ops)
			v.ops = append(v.ops, Operation{
				Process: e.Process, F: e.F, Key: e.Key, Value: e.Value, Expect: e.Expect,
				Type: TypeInfo, Open: true, Error: e.Error, Node: e.Node,
				Call: e.Time, Return: -1, Line: line, Level: e.Level,
			})
		}
		slot.open, slot.outstanding = o, true
		return nil
	}
	if !outstanding {
		return &LineError{Line: line, Err: fmt.Errorf("%s completion of %s for process %d, which has no outstanding invocation", e.Type, e.F, e.Process)}
	}
	if o.f != e.F || o.key != e.Key {
		return &LineError{Line: line, Err: fmt.Errorf("completion %s %q does not match process %d's invocation %s %q on line %d", e.F, e.Key, e.Process, o.f, o.key, o.line)}
	}
	slot.open, slot.outstanding = openOp{}, false
	if e.Type == TypeInfo {
		slot.retired = line
	}
	if v.keep {
		op := &v.ops[o.idx]
		op.Type, op.Open, op.Return, op.ReturnLine = e.Type, false, e.Time, line
		if e.Error != "" {
			op.Error = e.Error
		}
		if e.Node != "" {
			op.Node = e.Node
		}
		if e.Level != "" {
			op.Level = e.Level
		}
		if e.Type == TypeOk {
			op.Index, op.Incarnation = e.Index, e.Incarnation
		}
		if op.F == FGet {
			op.Value = nil
			if e.Type == TypeOk {
				op.Value = e.Value
			}
		}
	}
	return nil
}

// history is a validated history, paired into operations.
type history struct {
	events  []Event // as given, for cutting sub-histories out of it
	ops     []Operation
	nemesis []nemesisEvent
	end     int64            // the latest time in the history
	keys    []string         // sorted
	byKey   map[string][]int // key → indices into ops, in invocation order
}

// Pair validates a history held in memory and pairs invocations with their
// completions, in invocation order. Errors are [*LineError]s whose Line is
// the event's index+1.
func Pair(events []Event) ([]Operation, error) {
	v, err := pair(events)
	if err != nil {
		return nil, err
	}
	return v.ops, nil
}

// pair validates and pairs, without indexing by key (Pair's callers do not
// need it; for a million operations it is a fifth of the cost).
func pair(events []Event) (*validator, error) {
	v := newValidator()
	v.keep = true
	v.ops = make([]Operation, 0, len(events)/2+1)
	for i := range events {
		if err := v.add(&events[i], i+1); err != nil {
			return nil, err
		}
	}
	return &v, nil
}

func buildHistory(events []Event) (*history, error) {
	v, err := pair(events)
	if err != nil {
		return nil, err
	}
	h := &history{events: events, ops: v.ops, nemesis: v.nemesis, end: v.end, byKey: map[string][]int{}}
	for i := range h.ops {
		k := h.ops[i].Key
		h.byKey[k] = append(h.byKey[k], i)
	}
	h.keys = make([]string, 0, len(h.byKey))
	for k := range h.byKey {
		h.keys = append(h.keys, k)
	}
	sort.Strings(h.keys)
	return h, nil
}
