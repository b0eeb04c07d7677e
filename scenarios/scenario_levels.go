package scenarios

import (
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/report"
)

// levelScenarios are the read-level scenarios (issue 14): stale and leader
// reads under restarts, snapshot installs and membership changes, and a
// workload of mixed levels. Each read is judged by its own level's contract
// (a stale read may lag, but a node's reads never go back on one
// incarnation); all of them must hold on the unmodified store, and the
// planted bugs bug-restart-replays-old and bug-install-serves-empty, which
// break only the stale contract, must be caught.
func levelScenarios() []Scenario {
	// Snapshots every 64 entries, checked every 250-500 ms: a node always
	// holds a snapshot a few hundred milliseconds older than its state (what
	// a node that restores its snapshot at start rolls back to).
	snapshots := func(trailing uint64) NodeSettings {
		return NodeSettings{SnapshotThreshold: 64, SnapshotInterval: 250 * time.Millisecond, SnapshotTrailingLogs: trailing}
	}
	// Reads dominate and few keys are written often, so the reads of one
	// node before and after a fault see different values and indexes.
	readHeavy := func(s *Scenario) {
		s.Keys = 4
		s.Mix = Mix{Get: 60, Set: 25, Delete: 5, CAS: 10}
		s.Duration = 12 * time.Second
		s.Quiet = 1500 * time.Millisecond
		s.Fault = 2500 * time.Millisecond
	}
	return []Scenario{
		with(base("stale-reads-restart", "stale reads while a node is killed or restarted and comes back from its own disk; each node's reads must never go back"), func(s *Scenario) {
			// A restarted node serves stale reads from the state it kept as
			// soon as it answers, before the leader (whose heartbeats to a
			// dead node back off) reaches it: the window in which a store
			// that rolls back to an older state shows it. Trailing logs
			// are kept (raft's default), so the node replays from its log.
			readHeavy(s)
			s.ReadLevel = api.ReadStale
			s.Node = snapshots(0)
			s.Nemeses = []chaos.Nemesis{chaos.Kill{Target: chaos.AnyNode}, chaos.Restart{Target: chaos.AnyNode}}
		}),
		with(base("stale-reads-snapshot-install", "stale reads while a follower is cut off long enough that it must install the leader's snapshot; its reads must never go back"), func(s *Scenario) {
			// 32 trailing entries, as in snapshot-install: the node that
			// was away is behind the leader's oldest entry and is sent a
			// snapshot. A cut-off follower keeps serving its clients'
			// stale reads, so reads are in flight when the install runs.
			// Partitions only, four short windows: after a kill the
			// node's clients are still backing off when it comes back.
			// Measured with a kill among three windows:
			// bug-install-serves-empty missed in 2 of 10 seeds, both runs
			// with a single install.
			readHeavy(s)
			s.ReadLevel = api.ReadStale
			s.Node = snapshots(32)
			s.Quiet = time.Second
			s.Fault = 2 * time.Second
			s.Nemeses = []chaos.Nemesis{chaos.Partition{Shape: chaos.Isolate, Target: chaos.Follower}}
			s.Proves = []Claim{report.ClaimSnapshotsInstalled}
		}),
		with(base("stale-reads-membership", "stale reads while a member is removed and added back, or replaced by an empty node (a new incarnation); each node's reads must never go back"), func(s *Scenario) {
			readHeavy(s)
			s.ReadLevel = api.ReadStale
			s.Duration = 14 * time.Second
			s.Fault = 4 * time.Second
			s.Nemeses = []chaos.Nemesis{chaos.MemberRemove{Target: chaos.Follower}, chaos.MemberReplace{Target: chaos.AnyNode}}
			s.Proves = []Claim{report.ClaimMembershipChanged}
		}),
		with(base("leader-reads-restart", "leader reads while the leader or a node is killed or restarted; the stale contract must hold (leader reads are not linearizable by design)"), func(s *Scenario) {
			readHeavy(s)
			s.ReadLevel = api.ReadLeader
			s.Node = snapshots(0)
			s.Nemeses = []chaos.Nemesis{chaos.Kill{Target: chaos.Leader}, chaos.Restart{Target: chaos.Leader}, chaos.Kill{Target: chaos.AnyNode}}
		}),
		with(base("mixed-levels", "half the clients read linearizably, half stale, on every node, while nodes are killed, restarted or cut off; each read must meet its level's contract"), func(s *Scenario) {
			readHeavy(s)
			s.Levels = []api.ReadLevel{api.ReadLinearizable, api.ReadStale}
			s.Node = snapshots(0)
			s.Nemeses = []chaos.Nemesis{
				chaos.Kill{Target: chaos.AnyNode},
				chaos.Restart{Target: chaos.AnyNode},
				chaos.Partition{Shape: chaos.Isolate, Target: chaos.Follower},
			}
		}),
	}
}
