package scenarios

import (
	"time"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/report"
)

// memberScenarios are the membership, whole-cluster and disk scenarios
// (issue 8). All but disk-lies-majority must stay linearizable.
func memberScenarios() []Scenario {
	// Frequent snapshots, so that a snapshot file exists to damage.
	snapshots := NodeSettings{SnapshotThreshold: 100, SnapshotInterval: 500 * time.Millisecond}
	return []Scenario{
		with(base("membership-remove", "remove the leader or a follower from the configuration while it runs, then add it back; linearizable reads"), func(s *Scenario) {
			s.Fault = 4 * time.Second
			s.Nemeses = []chaos.Nemesis{chaos.MemberRemove{Target: chaos.Leader}, chaos.MemberRemove{Target: chaos.Follower}}
			s.Proves = []Claim{report.ClaimMembershipChanged}
		}),
		with(base("membership-replace", "lose a node's disk, then replace it with an empty node that joins and catches up; linearizable reads"), func(s *Scenario) {
			s.Fault = 4 * time.Second
			s.Nemeses = []chaos.Nemesis{chaos.MemberReplace{Target: chaos.AnyNode}}
			s.Proves = []Claim{report.ClaimMembershipChanged, report.ClaimNodeReplaced}
		}),
		with(base("grow-shrink", "grow from 3 to 5 voters and shrink back, through the API; linearizable reads"), func(s *Scenario) {
			s.Duration = 16 * time.Second
			s.Fault = 5 * time.Second
			s.Nemeses = []chaos.Nemesis{chaos.GrowShrink{Add: 2}}
			s.Proves = []Claim{report.ClaimMembershipChanged}
		}),
		with(base("crash-all", "SIGKILL every node within milliseconds, then start them all; linearizable reads"), func(s *Scenario) {
			s.Nemeses = []chaos.Nemesis{chaos.CrashAll{}}
			s.Proves = []Claim{report.ClaimAllRestarted}
		}),
		with(base("restart-rolling", "restart every node in turn (clean stop), waiting for the cluster to be ready between steps; linearizable reads"), func(s *Scenario) {
			s.Duration = 16 * time.Second
			s.Fault = 8 * time.Second
			s.Nemeses = []chaos.Nemesis{chaos.RollingRestart{}}
		}),
		with(base("kill-majority", "SIGKILL a majority at once, then start it; linearizable reads"), func(s *Scenario) {
			s.Nemeses = []chaos.Nemesis{chaos.KillMajority{}}
		}),
		with(base("disk-truncate-one", "crash one node and cut the tail of its raft log, or flip a bit in its log or snapshot, then start it (or replace it if it refuses); linearizable reads"), func(s *Scenario) {
			s.Node = snapshots
			s.Nemeses = []chaos.Nemesis{
				chaos.DiskTruncate{Target: chaos.AnyNode},
				chaos.BitFlip{Target: chaos.AnyNode, File: chaos.FileRaftLog, From: 0.5},
				chaos.BitFlip{Target: chaos.AnyNode, File: chaos.FileSnapshot},
			}
		}),
		// disk-truncate-one with each store's own settings, so that it
		// applies to every system with disk faults (etcd: the WAL's
		// written tail is zeroed, a flipped bit is caught by its CRCs).
		with(base("disk-log-damage", "crash one node and lose the tail of its raft log (the last writes never reached the disk), or flip a bit in its log, then start it (or replace it if it refuses); the store's default settings; linearizable reads"), func(s *Scenario) {
			s.Nemeses = []chaos.Nemesis{
				chaos.DiskTruncate{Target: chaos.AnyNode},
				chaos.BitFlip{Target: chaos.AnyNode, File: chaos.FileRaftLog, From: 0.5},
			}
		}),
		with(base("nightly-mix", "five nodes, every safe fault in turn (kills, crashes, pauses, every partition shape, loss, slowness, membership, disk damage), rotating keys; linearizable reads"), func(s *Scenario) {
			// Long by default and not in the CI set: the nightly campaign
			// runs it with many seeds. Keys rotate so each key's history
			// stays small however long the run (--duration 30m is fine).
			s.Nodes, s.Clients = 5, 10
			s.Keys, s.OpsPerKey = 10, 300
			s.Duration = 90 * time.Second
			s.Quiet = 2 * time.Second
			s.Fault = 4 * time.Second
			s.CI = false
			s.Node = snapshots
			s.Nemeses = []chaos.Nemesis{
				chaos.Kill{Target: chaos.Leader}, chaos.Kill{Target: chaos.AnyNode},
				chaos.Restart{Target: chaos.AnyNode},
				chaos.Pause{Target: chaos.Leader}, chaos.Stall{Target: chaos.Leader},
				chaos.Partition{Shape: chaos.Isolate, Target: chaos.Leader},
				chaos.Partition{Shape: chaos.Halves}, chaos.Partition{Shape: chaos.Minority},
				chaos.Partition{Shape: chaos.Ring}, chaos.Partition{Shape: chaos.Bridge},
				chaos.OneWay{Target: chaos.Leader, Dir: chaos.Inbound}, chaos.OneWay{Target: chaos.Leader, Dir: chaos.Outbound},
				chaos.Drop{Target: chaos.AnyNode, Percent: 30},
				chaos.Limit{Target: chaos.Leader, BytesPerSec: 50_000},
				chaos.Delay{Target: chaos.AnyNode, Delay: 50 * time.Millisecond, Jitter: 40 * time.Millisecond},
				chaos.MemberRemove{Target: chaos.Follower}, chaos.MemberReplace{Target: chaos.AnyNode},
				chaos.CrashAll{}, chaos.KillMajority{}, chaos.RollingRestart{},
				chaos.DiskTruncate{Target: chaos.AnyNode},
			}
			s.Nemeses = append(s.Nemeses, compoundNemeses()...)
		}),
		with(base("disk-lies-majority", "BROKEN ON PURPOSE: power loss of the cluster in which a majority's disks lied about fsync (the freshest raft log entries are gone); must lose acknowledged writes"), func(s *Scenario) {
			s.Duration = 10 * time.Second
			s.Quiet = 4 * time.Second
			s.Fault = 4 * time.Second
			s.Expect = ExpectContractViolation // linearizable reads lose acknowledged writes
			s.Nemeses = []chaos.Nemesis{chaos.DiskLies{}}
		}),
	}
}
