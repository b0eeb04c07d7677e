package node

import (
	"errors"
	"fmt"

	"github.com/hashicorp/raft"

	"github.com/raftlab/raftlab/bugs"
)

// ErrRaftStateLost is why a node refuses to start when its raft directory
// lost everything while its data directory did not.
var ErrRaftStateLost = errors.New("raft state lost")

// refuseLostRaftState refuses to start a node whose state machine has
// applied entries while its raft directory holds no log, no snapshot and no
// term: an operator deleted (or never mounted) the raft directory and kept
// the data directory. Such a node was a member. Started anyway it would
// (a) vote again in terms it already voted in, having forgotten its term and
// vote, which breaks election safety, and (b) if it is the node started
// without -join, bootstrap a second one-node cluster that elects itself
// before the real leader's next heartbeat reaches it and acknowledges writes
// the real cluster never sees. Dropping the state machine (the rule for a
// log that lost its tail, dropStateMachineIfAhead) fixes neither, so the
// node stops here with an error that says what to do; the operator (the
// lab's disk nemeses) removes the member and adds an empty node in its
// place. DESIGN.md, "Operator errors on disk".
func (n *Node) refuseLostRaftState(snaps raft.SnapshotStore) error {
	applied := n.fsm.Applied()
	if applied == 0 {
		return nil
	}
	has, err := raft.HasExistingState(n.logCache, n.logs, snaps)
	if err != nil {
		return fmt.Errorf("check raft state: %w", err)
	}
	if has {
		return nil
	}
	if n.bug(bugs.StateMachineAheadOK) {
		// Planted bug: trust the state machine; see bugs.StateMachineAheadOK.
		n.logger.Warn("planted bug: starting with a state machine but no raft state", "applied", applied)
		return nil
	}
	return fmt.Errorf("%w: the state machine in %s has applied %d entries, but %s holds no raft log, snapshot, term or vote; "+
		"this node was a member and would vote again in terms it already voted in (or, without -join, bootstrap a second cluster). "+
		"Remove it from the cluster (DELETE /members/%s on the leader) and start it with both directories empty",
		ErrRaftStateLost, n.cfg.DataDir, applied, n.cfg.RaftDir, n.cfg.ID)
}
