package api

import "fmt"

// ReadLevel is how much a read must confirm before answering
// (GET /key/{k}?consistency=).
type ReadLevel string

const (
	// ReadStale reads the local state machine of whichever node is asked.
	ReadStale ReadLevel = "stale"
	// ReadLeader reads the leader's local state without confirming it still
	// leads: fast, and stale under a partition. It exists for the lab to catch.
	ReadLeader ReadLevel = "leader"
	// ReadLinearizable is a read-index read on the leader.
	ReadLinearizable ReadLevel = "linearizable"
)

// ReadLevels lists every level, safest last.
var ReadLevels = []ReadLevel{ReadStale, ReadLeader, ReadLinearizable}

// ParseReadLevel parses a level name.
func ParseReadLevel(s string) (ReadLevel, error) {
	switch l := ReadLevel(s); l {
	case ReadStale, ReadLeader, ReadLinearizable:
		return l, nil
	}
	return "", fmt.Errorf("unknown read level %q (want stale, leader or linearizable)", s)
}
