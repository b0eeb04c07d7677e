package scenarios

import (
	"time"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/report"
)

// snapshotScenarios are the scenarios about raft snapshots (issue 8).
func snapshotScenarios() []Scenario {
	return []Scenario{
		with(base("snapshot-install", "snapshot every 64 entries keeping 32; keep a node down or cut off while hundreds of entries are written, so it must catch up by InstallSnapshot; deleted keys must stay deleted; linearizable reads"), func(s *Scenario) {
			// Why these numbers: the workload writes about 150-250 entries
			// a second (six clients, 60% writes), so in a 3 s fault window
			// the leader writes several hundred entries, snapshots every
			// 250-500 ms (raft checks at a random moment within one to two
			// intervals) once 64 entries accumulated, and keeps only the
			// last 32 in its log: the node that was down or cut off is
			// far behind the oldest entry left and must install a
			// snapshot. Killing the leader too moves leadership, so a node
			// whose state came from an installed snapshot later serves
			// reads and leads.
			s.Node = NodeSettings{SnapshotThreshold: 64, SnapshotInterval: 250 * time.Millisecond, SnapshotTrailingLogs: 32}
			// Few live keys, many deletes, and keys retired after about 40
			// operations (so most keys' last write happened long before the
			// end): a snapshot restored on top of old state leaves a key
			// that the cluster deleted and never wrote again on the node
			// that installed it, which the convergence check sees. Measured:
			// the planted bug-restore-keeps-old-state is caught in 3 of 3
			// seeds with rotation and 0 of 3 without it (its stale keys
			// were overwritten within milliseconds).
			s.Keys = 4
			s.OpsPerKey = 40
			s.Mix = Mix{Get: 40, Set: 30, Delete: 20, CAS: 10}
			s.Duration = 15 * time.Second
			s.Quiet = 2 * time.Second
			s.Fault = 3 * time.Second
			s.Nemeses = []chaos.Nemesis{
				chaos.Kill{Target: chaos.Follower},
				chaos.Restart{Target: chaos.Follower},
				chaos.Partition{Shape: chaos.Isolate, Target: chaos.Follower},
				chaos.Kill{Target: chaos.Leader},
			}
			s.Proves = []Claim{report.ClaimSnapshotsInstalled}
		}),
	}
}
