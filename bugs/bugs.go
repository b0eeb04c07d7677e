// Package bugs is the catalogue of the planted bugs: unsafe behaviours that
// real raft-based stores have shipped, built into the node's failpoint build
// (go build -tags failpoints) and switched on by arming the failpoint of the
// same name with "on" (raftkv -failpoints=bug-read-no-quorum=on, or PUT
// /failpoints/bug-read-no-quorum). A lab self-test iterates All: for each bug,
// the named scenarios run against a cluster with the bug switched on must come
// out not linearizable (or not converged); if one passes, the lab has a blind
// spot.
//
// The package has no dependencies, so the lab can import it without linking
// raft or Badger.
package bugs

// Bug is one planted bug.
type Bug struct {
	// Name is the failpoint that switches it on.
	Name string `json:"name"`
	// Description says what the node does wrong and what a client sees.
	Description string `json:"description"`
	// Report is the published report of the same class of bug in a real store.
	Report string `json:"report"`
	// Scenarios are the chaoslab scenarios meant to catch it, the likeliest
	// catcher first (chaoslab selftest --scenarios-per-bug 1 runs only it).
	Scenarios []string `json:"scenarios"`
}

// Names of the planted bugs, as failpoint names.
const (
	ReadNoQuorum        = "bug-read-no-quorum"
	ReadNoBarrier       = "bug-read-no-barrier"
	FollowerLocalRead   = "bug-follower-local-read"
	AckBeforeCommit     = "bug-ack-before-commit"
	CASLocalCompare     = "bug-cas-local-compare"
	RestoreKeepsState   = "bug-restore-keeps-old-state"
	AppliedIndexEarly   = "bug-applied-index-early"
	StateMachineAheadOK = "bug-fsm-ahead-of-log"
	RestartReplaysOld   = "bug-restart-replays-old"
	InstallServesEmpty  = "bug-install-serves-empty"
	RecoverAlone        = "bug-recover-alone"
)

// All lists every planted bug.
var All = []Bug{
	{
		Name: ReadNoQuorum,
		Description: "A node that believes it leads answers linearizable reads from its local state machine " +
			"without the per-term barrier and without confirming with a quorum that it still leads. " +
			"A leader that is paused or cut off after a new leader was elected answers stale values.",
		Report:    "etcd-io/etcd#741 \"Consistent reads are not consistent\" (Jepsen, 2014): a node that believed it led answered reads from its state machine",
		Scenarios: []string{"long-pause", "partition-leader", "pause"},
	},
	{
		Name: ReadNoBarrier,
		Description: "The read index skips the per-term barrier: a newly elected leader uses its commit index " +
			"before it has committed an entry in its own term, so it may not yet know that entries the previous " +
			"leader committed (and acknowledged) are committed, and reads miss them.",
		Report:    "Raft thesis §6.4 step 1 (Ongaro 2014); etcd-io/raft defers ReadIndex until the leader has committed an entry in its term (see raft.go, \"pendingReadIndexMessages\")",
		Scenarios: []string{"leader-transfer", "leader-churn", "kill-leader", "partition-leader", "mixed", "crash-all"},
	},
	{
		Name: FollowerLocalRead,
		Description: "Every node answers linearizable reads from its own state machine instead of forwarding " +
			"them to the leader's read index: a follower that is cut off or lagging answers stale values.",
		Report:    "jgroups-extras/jgroups-raft#208 \"Provide quorum reads for ReplicatedStateMachine\" (dirty reads found with Jepsen)",
		Scenarios: []string{"partition-leader", "partition-one-way", "mixed", "pause"},
	},
	{
		Name: AckBeforeCommit,
		Description: "Sets and deletes are answered 200 as soon as the leader has accepted the entry, before a " +
			"quorum has stored it: a leader killed or cut off right after answering loses acknowledged writes.",
		Report:    "etcd-io/etcd#14370 \"Durability API guarantee broken in single node cluster\" (a write acknowledged before it was durable on a quorum was lost on crash)",
		Scenarios: []string{"kill-leader", "leader-churn", "crash-all", "partition-leader"},
	},
	{
		Name: CASLocalCompare,
		Description: "Compare-and-set compares against the leader's local state machine and then replicates a " +
			"plain set, so the comparison is not part of the replicated entry: two concurrent cas with the same " +
			"expected value both succeed (a lost update).",
		Report:    "ArcadeData/arcadedb#7559 (a compare-and-set precondition evaluated outside the replicated entry; the mutation replicated unconditionally)",
		Scenarios: []string{"kill-leader", "leader-churn", "mixed"},
	},
	{
		Name: RestoreKeepsState,
		Description: "Restoring a snapshot installed by the leader writes the snapshot's keys over the old state " +
			"instead of replacing it: keys deleted while the follower was behind come back on that follower.",
		Report:    "openstack-experimental/keystone#1331 \"fix(raft): Restore full state on snapshot install\" (install left stale keys behind); hashicorp/raft FSM.Restore contract: \"must discard all previous state\"",
		Scenarios: []string{"snapshot-install", "crash-snapshot-restore"},
	},
	{
		Name: AppliedIndexEarly,
		Description: "The state machine records its applied index in its own transaction before the batch's " +
			"data: a crash between the two leaves the replica believing it applied entries it never stored, " +
			"so raft's replay skips them and the replica diverges for good.",
		Report:    "etcd-io/etcd#13766 \"Inconsistent revision and data occurs\" (etcd 3.5 data inconsistency; its postmortem, etcd-io/etcd#13967: the consistent index was not saved atomically with the data it covers, so a crash left replicas diverged)",
		Scenarios: []string{"crash-batch-commit", "crash-all"},
	},
	{
		Name: StateMachineAheadOK,
		Description: "A node whose raft log lost its tail (disk fault) while its state machine kept a higher " +
			"applied index starts anyway: entries that a leader later writes at those indexes are skipped as " +
			"already applied, so the node serves data the cluster no longer has and misses data it does. " +
			"Measured: disk-truncate-one does not expose it (0 of 10 seeds) — a single node's lost tail only held " +
			"committed entries a majority still has, so the leader re-sends the same entries and skipping them is " +
			"harmless; it matters when indexes are reused with other content (a majority losing its tail, or a lost " +
			"raft directory with the data directory kept), which the node test shows deterministically. Also measured: " +
			"disk-operator-error, whose windows delete the bootstrap node's raft directory and start it connected, 0 of 5 " +
			"(the leader's next heartbeat reaches the restarted node before it elects itself); compound-raft-dir-lost, which " +
			"starts it while it is cut off, so it bootstraps and leads a second cluster, 10 of 10.",
		Report:    "the disk-fault class Jepsen's lazyfs exposed in etcd (see etcd-io/etcd#14140 \"Stale read with loss of un-fsynced writes\")",
		Scenarios: []string{"compound-raft-dir-lost", "disk-operator-error", "disk-truncate-one"},
	},
	{
		Name: RecoverAlone,
		Description: "A restarted member that reaches none of its peers within 1.5 s of starting (no answer at all; " +
			"a refused connection is taken for a peer restarting) forces a new one-node cluster from its own log " +
			"(raft.RecoverCluster, as a start script running etcd --force-new-cluster would), leads it, serves its " +
			"old data and acknowledges writes the real cluster never sees. It needs two faults at once: a node that " +
			"restarts while it is cut off (a kill or restart alone finds the peers; a partition alone restarts nothing). " +
			"Measured: compound-restart-isolated 10 of 10 seeds; kill-leader, partition-leader and crash-all 0 of 2 each.",
		Report:    "bitnami/charts#901 \"etcd cluster has split-brain after deleting a node\" (the chart's start script created a new cluster when a member could not rejoin); etcd-io/etcd#14009 \"Inconsistent revision and data after --force-new-cluster\"",
		Scenarios: []string{"compound-restart-isolated", "kill-leader", "partition-leader", "crash-all"},
	},
	{
		Name: RestartReplaysOld,
		Description: "A restarted node restores its newest local snapshot over its newer state machine and " +
			"replays the log from there once the leader tells it what is committed; until then it answers " +
			"stale reads from the older state, so a node's reads go back in the write order. Linearizable " +
			"reads (the leader's read index) and the replicas' final state stay right: only the stale " +
			"contract (no read on one incarnation older than an earlier one) catches it.",
		Report:    "etcd-io/etcd#3879 \"etcd serves stale read requests before log is caught up during recovery/startup\" (a restarted member answered reads with several older values as its log replayed); yugabyte/yugabyte-db#456 (follower reads served before the restarted node replayed its log)",
		Scenarios: []string{"stale-reads-restart", "mixed-levels"},
	},
	{
		Name: InstallServesEmpty,
		Description: "Installing a snapshot from the leader first clears the follower's data, keeping its applied " +
			"index, and loads the snapshot while reads go on (paced at 300 ms: the load time of a realistic " +
			"state; the lab's is tiny): the follower answers \"absent\" for keys it served a moment before, " +
			"at an index that covers their writes.",
		Report:    "deventlab/d-engine#243 \"State machine read operations not protected during snapshot restoration\" (reads saw the temporary empty database); rqlite/rqlite#1677 (the store made \"not ready\" during a restore)",
		Scenarios: []string{"stale-reads-snapshot-install"},
	},
}

// Lookup returns the bug of that name.
func Lookup(name string) (Bug, bool) {
	for _, b := range All {
		if b.Name == name {
			return b, true
		}
	}
	return Bug{}, false
}
