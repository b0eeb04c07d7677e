package linearizability

import (
	"errors"
	"fmt"
)

// Event types, the "type" field of a history line.
const (
	TypeInvoke = "invoke" // an operation starts
	TypeOk     = "ok"     // it took effect exactly once, between its invoke and this completion
	TypeFail   = "fail"   // it definitely took no effect
	TypeInfo   = "info"   // outcome unknown: it may take effect at any time after its invoke, or never
)

// Client functions, the "f" field of a client event (process ≥ 0). Nemesis
// events (process -1) may use any f: their vocabulary is open.
const (
	FGet    = "get"
	FSet    = "set"
	FDelete = "delete"
	FCAS    = "cas"
)

// NemesisProcess is the process number of fault (nemesis) events. Checkers
// ignore them; the visualization draws them.
const NemesisProcess = -1

// An Event is one line of a history file (see DESIGN.md, "History file").
//
// Value is nil when the JSON line has no value or "value": null; for an ok get
// that means the key was absent. Expect is only used by cas.
type Event struct {
	Process int     `json:"process"`
	Type    string  `json:"type"`
	F       string  `json:"f"`
	Key     string  `json:"key,omitempty"`
	Value   *string `json:"value"`
	Expect  *string `json:"expect,omitempty"`
	Time    int64   `json:"time"`
	Error   string  `json:"error,omitempty"`
	Node    string  `json:"node,omitempty"`

	// Level is a get's read level ("stale", "leader", "linearizable"); empty
	// means linearizable. Each read is judged by its level's contract.
	Level string `json:"level,omitempty"`
	// Index is the store's evidence of order on an ok completion: for a get
	// the applied index (raftkv) or revision (etcd) the read was served at,
	// for a write the log index (revision) it was applied at. 0: no evidence.
	Index int64 `json:"index,omitempty"`
	// Incarnation names the node's data directory on a completion: reads on
	// one incarnation must never go back in the write order. Empty: unknown
	// (the node field alone is used).
	Incarnation string `json:"incarnation,omitempty"`
}

// Read levels of the "level" field.
const (
	LevelLinearizable = "linearizable"
	LevelLeader       = "leader"
	LevelStale        = "stale"
)

// ReadLevel returns e's read level, linearizable when the field is empty.
func (e Event) ReadLevel() string {
	if e.Level == "" {
		return LevelLinearizable
	}
	return e.Level
}

// IsNemesis reports whether e is a fault event rather than a client event.
func (e Event) IsNemesis() bool { return e.Process == NemesisProcess }

// String renders the event in a compact human form, for messages.
func (e Event) String() string {
	if e.IsNemesis() {
		s := fmt.Sprintf("nemesis %s %s", e.Type, e.F)
		if e.Value != nil {
			s += " " + *e.Value
		}
		return fmt.Sprintf("%s at %s", s, fmtTime(e.Time))
	}
	s := fmt.Sprintf("process %d %s %s %q", e.Process, e.Type, e.F, e.Key)
	switch {
	case e.F == FCAS:
		s += fmt.Sprintf(" %s→%s", quoteOpt(e.Expect), quoteOpt(e.Value))
	case e.Value != nil || (e.F == FGet && e.Type == TypeOk):
		s += " " + quoteOpt(e.Value)
	}
	if e.Error != "" {
		s += fmt.Sprintf(" (error: %s)", e.Error)
	}
	return fmt.Sprintf("%s at %s", s, fmtTime(e.Time))
}

// Str returns a pointer to s, for building events and recorder calls.
func Str(s string) *string { return &s }

// validType reports whether t is one of the four event types.
func validType(t string) bool {
	switch t {
	case TypeInvoke, TypeOk, TypeFail, TypeInfo:
		return true
	}
	return false
}

// validF reports whether f is a client function.
func validF(f string) bool {
	switch f {
	case FGet, FSet, FDelete, FCAS:
		return true
	}
	return false
}

// checkShape validates one event on its own, without context: the fields
// every line must have, and those its f and type require.
func checkShape(e *Event) error {
	if !validType(e.Type) {
		return fmt.Errorf("unknown type %q (want invoke, ok, fail or info)", e.Type)
	}
	if e.Time < 0 {
		return fmt.Errorf("negative time %d", e.Time)
	}
	if e.Process == NemesisProcess {
		if e.F == "" {
			return errors.New(`nemesis event without "f" (name the fault)`)
		}
		return nil
	}
	if e.Process < 0 {
		return fmt.Errorf("process %d: client processes are ≥ 0 and the nemesis is -1", e.Process)
	}
	if !validF(e.F) {
		return fmt.Errorf("unknown f %q for a client (want get, set, delete or cas)", e.F)
	}
	if e.Key == "" {
		return errors.New(`client event without "key"`)
	}
	if e.Type == TypeInvoke {
		switch e.F {
		case FSet:
			if e.Value == nil {
				return errors.New(`set invocation without "value"`)
			}
		case FCAS:
			if e.Value == nil || e.Expect == nil {
				return errors.New(`cas invocation needs both "expect" and "value"`)
			}
		}
	}
	if e.Expect != nil && e.F != FCAS {
		return fmt.Errorf(`"expect" on a %s event (only cas has one)`, e.F)
	}
	switch e.Level {
	case "", LevelLinearizable, LevelLeader, LevelStale:
	default:
		return fmt.Errorf("unknown level %q (want linearizable, leader or stale)", e.Level)
	}
	if e.Level != "" && e.F != FGet {
		return fmt.Errorf(`"level" on a %s event (only get has one)`, e.F)
	}
	if e.Index < 0 {
		return fmt.Errorf("negative index %d", e.Index)
	}
	return nil
}

func quoteOpt(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}

// fmtTime renders nanoseconds since the start of the run for people.
func fmtTime(ns int64) string {
	switch {
	case ns < 1e3:
		return fmt.Sprintf("%dns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.3gµs", float64(ns)/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.4gms", float64(ns)/1e6)
	default:
		return fmt.Sprintf("%.4gs", float64(ns)/1e9)
	}
}
