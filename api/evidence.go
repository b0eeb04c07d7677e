package api

import (
	"net/http"
	"strconv"
)

// Evidence headers (DESIGN.md, "The node"): where an answer stands in the
// store's order. The bodies stay as the seed's; the evidence rides in headers.
const (
	// HeaderIndex is, on a GET /key answer (200 or 404), the state machine's
	// applied index the value was read at; on a successful write (and a 409
	// cas) the log index of the entry.
	HeaderIndex = "X-Raft-Index"
	// HeaderIncarnation names the state machine that produced the answer: a
	// random id created with the node's data directory and kept across
	// restarts; a wiped node or a rebuilt state machine gets a new one.
	HeaderIncarnation = "X-Raft-Incarnation"
)

// evidence reads the evidence headers of an answer into r.
//
// A malformed index is not fatal for the operation: the body already decided
// its outcome, and the store did answer. But a garbled index cannot place the
// answer anywhere, and an incarnation without an index places nothing either,
// so both are dropped and the answer is recorded as carrying no evidence
// (index 0): the checker then judges it from the values alone rather than
// from a number it cannot trust.
func evidence(r Result, h http.Header) Result {
	raw := h.Get(HeaderIndex)
	if raw == "" {
		r.Incarnation = h.Get(HeaderIncarnation)
		return r
	}
	idx, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || idx < 0 {
		return r
	}
	r.Index, r.Incarnation = idx, h.Get(HeaderIncarnation)
	return r
}
