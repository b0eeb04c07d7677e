package scenarios

import (
	"time"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/fault"
)

// failpointScenarios crash nodes at exact points of the node's code with its
// failpoints (issue 9): each fault window arms `1*panic` at a point, the
// node dies there, Heal starts it again. All must stay linearizable and
// converge. Whether the point was reached shows in each fault's Detail
// ("n2 down at heal (crashed at ...)" or "alive at heal").
func failpointScenarios() []Scenario {
	// Snapshots every ~100 entries, checked twice a second, so that a
	// snapshot is taken in every fault window.
	snapshots := func(trailing uint64) NodeSettings {
		return NodeSettings{SnapshotThreshold: 100, SnapshotInterval: 500 * time.Millisecond, SnapshotTrailingLogs: trailing}
	}
	crash := func(point string, t chaos.Target) chaos.Failpoint {
		return chaos.Failpoint{Target: t, Point: point, Term: "1*panic"}
	}
	// crash-batch-commit and crash-snapshot-persist take 17-22 s a run
	// (cluster start included) and are in the CI set; crash-snapshot-restore
	// takes up to ~31 s (its heal waits for the crash) and is not.
	noCI := func(s *Scenario) { s.CI = false }
	return []Scenario{
		with(base("crash-batch-commit", "a node, the leader or every node panics in the state machine just before a batch's Badger transaction commits (failpoint fsm-before-commit=1*panic), then is started; linearizable reads"), func(s *Scenario) {
			// The log entries are durable, the state machine's batch is
			// not: the restarted node must replay them, neither skip nor
			// apply twice (bug-applied-index-early skips them).
			s.Duration = 12 * time.Second // three fault windows
			s.Quiet = 1500 * time.Millisecond
			s.Fault = 2500 * time.Millisecond
			// Rotate keys: a retired key is never written again, so a
			// replica that lost its last write stays different and the
			// convergence check sees it (with 8 keys written to the end,
			// later writes hide a lost batch).
			s.OpsPerKey = 10
			// All nodes at once: each dies at its own next batch; the
			// followers' batches hold entries the leader already applied
			// and acknowledged, so a replica that skips them on replay
			// answers reads without acknowledged writes once it leads.
			s.Nemeses = []chaos.Nemesis{
				crash(fault.PointFSMBeforeCommit, chaos.AnyNode),
				crash(fault.PointFSMBeforeCommit, chaos.Leader),
				chaos.Failpoint{All: true, Point: fault.PointFSMBeforeCommit, Term: "1*panic"},
			}
			// On a loaded machine arming can take most of a window (seen:
			// 2 of 3 windows reached the point at load 30); one crash at
			// the point is what the run must show.
			s.NeedFaults = 1
		}),
		with(base("crash-snapshot-persist", "a node or the leader panics while writing a snapshot, after its first key (failpoint snapshot-persist=1*panic; snapshots every 100 entries), then is started; linearizable reads"), func(s *Scenario) {
			// A half-written snapshot must never be restored: the restarted
			// node uses its previous snapshot and its log.
			s.Node = snapshots(50)
			s.Duration = 12 * time.Second // three fault windows
			s.Quiet = 1500 * time.Millisecond
			s.Fault = 2500 * time.Millisecond
			s.Nemeses = []chaos.Nemesis{crash(fault.PointSnapshotPersist, chaos.AnyNode), crash(fault.PointSnapshotPersist, chaos.Leader)}
			// A window reaches the point only when a snapshot falls in it
			// (seen: 2 of 3 windows); one crash at the point is the claim.
			s.NeedFaults = 1
		}),
		with(base("crash-snapshot-restore", "a follower cut off while the others snapshot and compact their logs panics just before installing the leader's snapshot (failpoint snapshot-before-restore=1*panic), then is started and installs it; linearizable reads"), func(s *Scenario) {
			// Ten trailing log entries: after one snapshot in the fault
			// window the follower's next entry is gone from the leader's
			// log, so healing the network makes the leader send a snapshot.
			s.Node = snapshots(10)
			s.Duration = 14 * time.Second
			s.Quiet = 1500 * time.Millisecond
			s.Fault = 3 * time.Second
			s.Nemeses = []chaos.Nemesis{chaos.RestoreCrash{}}
			// The leader must have compacted past the follower for the
			// point to be reached; one crash before a restore is the claim.
			s.NeedFaults = 1
			noCI(s)
		}),
	}
}
