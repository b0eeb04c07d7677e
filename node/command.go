package node

import (
	"encoding/json"
	"fmt"
)

// command is one raft log entry's payload. It is JSON so that a log dump is
// readable by people; the FSM cost is small next to the fsync per batch.
type command struct {
	Op opKind `json:"op"`
	// Set: all pairs in one entry, applied atomically.
	Pairs map[string]string `json:"pairs,omitempty"`
	// Delete and cas.
	Key    string `json:"key,omitempty"`
	Expect string `json:"expect,omitempty"`
	Value  string `json:"value,omitempty"`
	// Member records: the HTTP address of a raft server, kept in the state
	// machine so every node can forward to whichever member leads.
	ID   string `json:"id,omitempty"`
	HTTP string `json:"http,omitempty"`
}

type opKind string

const (
	opSet          opKind = "set"
	opDelete       opKind = "delete"
	opCAS          opKind = "cas"
	opSetMember    opKind = "member"
	opRemoveMember opKind = "unmember"
)

func encodeCommand(c command) []byte {
	b, err := json.Marshal(c)
	if err != nil {
		// A struct of strings and a map of strings always marshals.
		panic(fmt.Sprintf("encode command: %v", err))
	}
	return b
}

func decodeCommand(b []byte) (command, error) {
	var c command
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("decode command: %w", err)
	}
	return c, nil
}

// casResult is what the FSM returns for a cas entry.
type casResult struct {
	Swapped bool
	// Current is the value found when the swap did not happen (nil: absent).
	Current *string
}
