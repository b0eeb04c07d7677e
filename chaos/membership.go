package chaos

import (
	"context"
)

// Files of a node's data that the disk nemeses damage (Disker's
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

// Members changes the store's configuration and replaces nodes.
type Members interface {
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
}

// Disker damages a down node's files and directories, each call
// describing what it did.
type Disker interface {
	// TruncateNodeFile cuts the last bytes bytes of a down node's file
	// (FileRaftLog, FileSnapshot, FileStateMachine), keeping at least the
	// fraction keep of it; FlipNodeBits flips bits random bits (chosen by
	// seed) in it, none in its first fraction from.
	TruncateNodeFile(ctx context.Context, id, file string, bytes int64, keep float64) (string, error)
	FlipNodeBits(ctx context.Context, id, file string, bits int, from float64, seed uint64) (string, error)
	// Operator errors with a down node's directories (DirRaft, DirData):
	// SaveNodeDir copies one aside under a name, RestoreNodeDir puts that
	// copy back in its place, RemoveNodeDir deletes it.
	SaveNodeDir(ctx context.Context, id, dir, copy string) (string, error)
	RestoreNodeDir(ctx context.Context, id, dir, copy string) (string, error)
	RemoveNodeDir(ctx context.Context, id, dir string) (string, error)
}
