package chaos

import (
	"context"
	"time"
)

// Files of a node's data that the disk nemeses damage (Membership's
// TruncateNodeFile and FlipNodeBits).
const (
	// FileRaftLog is the raft log and stable store (BadgerDB's newest value
	// log file: its tail holds the freshest entries).
	FileRaftLog = "raft-log"
	// FileSnapshot is the newest raft snapshot's data file.
	FileSnapshot = "snapshot"
	// FileStateMachine is the state machine's newest Badger value log. The
	// state machine is not fsynced (it is rebuilt from the log), so a power
	// loss may cut its tail whatever the disk promised.
	FileStateMachine = "state-machine"
)

// Membership is what the membership, whole-cluster and disk nemeses need
// beyond single-node handles; part of [Cluster].
type Membership interface {
	// RemoveMember removes a node from the raft configuration through the
	// API while its process keeps running; AddMember adds it back with its
	// data (restarting the process when its raft had shut down).
	RemoveMember(ctx context.Context, id string) error
	AddMember(ctx context.Context, id string) error
	// DestroyNode deletes a node's container and data; the member stays in
	// the configuration, down. ReplaceNode removes that member and starts an
	// empty node with the same id that joins as a voter.
	DestroyNode(ctx context.Context, id string) error
	ReplaceNode(ctx context.Context, id string) error
	// GrowNode starts a new node that joins as a voter and returns its id;
	// ShrinkNode removes a member through the API and deletes its node.
	GrowNode(ctx context.Context) (string, error)
	ShrinkNode(ctx context.Context, id string) error
	// KillNodes sends SIGKILL to the nodes at the same moment and returns
	// the spread of their exits.
	KillNodes(ctx context.Context, ids []string) (time.Duration, error)
	// WaitReady waits until every node is a ready voter, a leader is agreed
	// on and a write round-trips.
	WaitReady(ctx context.Context) error
	// TruncateNodeFile cuts the last bytes bytes of a down node's file
	// (FileRaftLog, FileSnapshot, FileStateMachine), keeping at least the fraction keep of
	// it; FlipNodeBits flips bits random bits (chosen by seed) in it, none
	// in its first fraction from. Both describe what they did.
	TruncateNodeFile(ctx context.Context, id, file string, bytes int64, keep float64) (string, error)
	FlipNodeBits(ctx context.Context, id, file string, bits int, from float64, seed uint64) (string, error)
}
