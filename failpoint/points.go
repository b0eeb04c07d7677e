package failpoint

// The node's failpoints (DESIGN.md, "Failpoints"). What "error" does at each
// point is said in its description.
const (
	LogBeforeAppend        = "log-before-append"
	FSMBeforeCommit        = "fsm-before-commit"
	ApplyBeforeAnswer      = "apply-before-answer"
	ReadIndexBeforeBarrier = "readindex-before-barrier"
	ReadIndexBeforeConfirm = "readindex-before-confirm"
	ReadIndexBeforeWait    = "readindex-before-wait"
	SnapshotPersist        = "snapshot-persist"
	SnapshotBeforeRestore  = "snapshot-before-restore"
)

// NodePoints lists the node's failpoints (the planted bugs' switches come
// from package bugs).
var NodePoints = []Point{
	{LogBeforeAppend, "raft log store, before a batch of entries is written; error: the append fails (a follower rejects the entries, a leader steps down)"},
	{FSMBeforeCommit, "state machine, before a batch's Badger transaction commits; error: treated as a storage error, the node stops (panics)"},
	{ApplyBeforeAnswer, "leader, after a client's write (set, delete, cas) is committed and applied, before the client is answered; error: the client gets 500 applied=unknown"},
	{ReadIndexBeforeBarrier, "linearizable read, before the per-term barrier; error: the read fails"},
	{ReadIndexBeforeConfirm, "linearizable read, after the commit index is read, before leadership is confirmed; error: the read fails"},
	{ReadIndexBeforeWait, "linearizable read, after leadership is confirmed, before waiting for the state machine; error: the read fails"},
	{SnapshotPersist, "snapshot, after the first key is written to the sink; error: the snapshot is cancelled"},
	{SnapshotBeforeRestore, "follower, before a snapshot received from the leader replaces the state machine; error: the install fails (the leader retries)"},
}
