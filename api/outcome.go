package api

// Outcome is what a call tells about its effect.
type Outcome int

const (
	// OK: the operation took effect (for a get: the value was read).
	OK Outcome = iota
	// Fail: the operation definitely took no effect.
	Fail
	// Unknown: the operation may have taken effect, or may still.
	Unknown
)

func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Fail:
		return "fail"
	default:
		return "unknown"
	}
}

// Result is the answer to one client call.
type Result struct {
	Outcome Outcome
	// Value is the value read by Get (nil: absent), or the value a failed cas
	// found (nil: absent).
	Value *string
	// Mismatch is true when a cas failed because the value differed (409).
	Mismatch bool
	// Status is the HTTP status, 0 when no answer came.
	Status int
	// Err explains a Fail or Unknown.
	Err error
	// Index is the store's evidence of order (header X-Raft-Index): for a
	// get the applied index it was served at, for a write the log index it
	// was applied at. 0: no evidence (absent or malformed header).
	Index int64
	// Incarnation names the state machine that answered (header
	// X-Raft-Incarnation); "" when unknown.
	Incarnation string
}
