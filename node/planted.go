package node

import (
	"fmt"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftlab/raftlab/bugs"
)

// Planted bugs that break the stale contract only (issue 14): a node's reads
// go back in the write order on one incarnation, while every linearizable
// read (served by the leader after its read index) and every replica's
// final state stay right. They are off unless switched on (failpoint build).

// rollBackToSnapshot is the planted bug bugs.RestartReplaysOld: at start,
// the node restores its newest local snapshot over a state machine that is
// ahead of it, and lets raft replay the log from the snapshot on (raft's
// default without NoSnapshotRestoreOnStart, with a persistent state
// machine). The replay ends in the same state, but until the leader tells
// the node what is committed it answers reads from the older state.
func (n *Node) rollBackToSnapshot(snaps raft.SnapshotStore) error {
	if !n.bug(bugs.RestartReplaysOld) {
		return nil
	}
	list, err := snaps.List()
	if err != nil || len(list) == 0 {
		return err
	}
	applied := n.fsm.Applied()
	if list[0].Index >= applied {
		return nil
	}
	_, rc, err := snaps.Open(list[0].ID)
	if err != nil {
		return fmt.Errorf("open snapshot %s: %w", list[0].ID, err)
	}
	defer rc.Close()
	n.logger.Warn("planted bug: rolling the state machine back to the newest snapshot", "applied", applied, "snapshot", list[0].Index)
	// Not counted in snapshot_restores_at_start: the bug is silent.
	return n.fsm.restore(rc, true)
}

// installPause is how long bug-install-serves-empty serves the emptied
// state. The lab's state is a few keys and loads in microseconds; a real
// store's snapshot of a few hundred MB takes this long and more, and it is
// that window the bug leaves open.
const installPause = 300 * time.Millisecond

// emptyBeforeInstall is the planted bug bugs.InstallServesEmpty: an
// installed snapshot's restore first clears the data (keeping the applied
// index, which lives apart from it) without keeping reads out, so for the
// duration of the load the node answers "absent" for every key at its old
// applied index.
func (f *FSM) emptyBeforeInstall() error {
	if !f.bug(bugs.InstallServesEmpty) {
		return nil
	}
	if err := f.db.DropPrefix(prefixData); err != nil {
		return fmt.Errorf("restore: clear data: %w", err)
	}
	if f.afterDrop != nil {
		f.afterDrop()
	} else {
		time.Sleep(installPause) // the load time of a realistic state (see installPause)
	}
	return nil
}
