package node

import (
	"context"
	"errors"
	"net/http"

	"github.com/hashicorp/raft"
)

// Applied says whether a failed write may have happened. It is the field
// "applied" of every 5xx answer: false (definitely not applied) or "unknown".
type Applied int

const (
	// AppliedNo: the write definitely took no effect.
	AppliedNo Applied = iota
	// AppliedUnknown: the write may take effect, now or later, or never.
	AppliedUnknown
)

// MarshalJSON writes false or "unknown", as DESIGN.md specifies.
func (a Applied) MarshalJSON() ([]byte, error) {
	if a == AppliedNo {
		return []byte("false"), nil
	}
	return []byte(`"unknown"`), nil
}

// Error is an error with its HTTP status and what it means for a write.
type Error struct {
	Status  int
	Applied Applied
	Err     error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Sentinel errors a client can test with errors.Is.
var (
	ErrNoLeader     = errors.New("no leader")
	ErrShuttingDown = errors.New("node is shutting down")
)

// classifyApplyErr maps raft's answer to an apply into an HTTP status and
// whether the entry may have been applied.
//
//   - ErrNotLeader: raft refused before the entry was appended anywhere.
//   - ErrEnqueueTimeout: the entry never reached the leader loop.
//   - ErrLeadershipTransferInProgress: the leader loop refused the entry
//     without appending it (a transfer is under way, POST /leader/transfer).
//     All three are definite: 503, applied false.
//   - ErrLeadershipLost: the entry was appended and may still be committed by
//     the next leader. ErrRaftShutdown may come before or after the append, and
//     raft does not say which. Timeouts and anything else: the same. All are
//     unknown: 500 (or 504 for a timeout), applied "unknown".
func classifyApplyErr(err error) *Error {
	switch {
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrEnqueueTimeout), errors.Is(err, raft.ErrLeadershipTransferInProgress):
		return &Error{Status: http.StatusServiceUnavailable, Applied: AppliedNo, Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusGatewayTimeout, Applied: AppliedUnknown, Err: err}
	default:
		return &Error{Status: http.StatusInternalServerError, Applied: AppliedUnknown, Err: err}
	}
}

func badRequest(err error) *Error {
	return &Error{Status: http.StatusBadRequest, Applied: AppliedNo, Err: err}
}

func unavailable(err error) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Applied: AppliedNo, Err: err}
}
