package failpoint

import "github.com/raftlab/raftlab/fault"

// NodePoints lists the node's failpoints, named by package fault (the lab
// arms them by those names) and described here; the planted bugs' switches
// come from package bugs. What "error" does at each point is said in its
// description.
var NodePoints = []Point{
	{fault.PointLogBeforeAppend, "raft log store, before a batch of entries is written; error: the append fails (a follower rejects the entries, a leader steps down)"},
	{fault.PointFSMBeforeCommit, "state machine, before a batch's Badger transaction commits; error: treated as a storage error, the node stops (panics)"},
	{fault.PointApplyBeforeAnswer, "leader, after a client's write (set, delete, cas) is committed and applied, before the client is answered; error: the client gets 500 applied=unknown"},
	{fault.PointReadIndexBeforeBarrier, "linearizable read, before the per-term barrier; error: the read fails"},
	{fault.PointReadIndexBeforeConfirm, "linearizable read, after the commit index is read, before leadership is confirmed; error: the read fails"},
	{fault.PointReadIndexBeforeWait, "linearizable read, after leadership is confirmed, before waiting for the state machine; error: the read fails"},
	{fault.PointSnapshotPersist, "snapshot, after the first key is written to the sink; error: the snapshot is cancelled"},
	{fault.PointSnapshotBeforeRestore, "follower, before a snapshot received from the leader replaces the state machine; error: the install fails (the leader retries)"},
}
