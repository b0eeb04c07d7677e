package scenarios

import (
	"time"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/report"
)

// compound returns the named compound of chaos.Compounds (a scenario
// names its windows' combinations; the combinations are data in chaos).
func compound(label string) chaos.Nemesis {
	for _, k := range chaos.Compounds() {
		if k.Label == label {
			return k
		}
	}
	panic("scenarios: no compound " + label) // a typo in this file; TestScenariosValidate runs All
}

// compoundNemeses are the compound windows nightly-mix adds to its faults.
func compoundNemeses() []chaos.Nemesis {
	return []chaos.Nemesis{
		compound("isolate-leader-kill-other"), compound("isolate-follower-kill-leader-side"),
		compound("remove-isolate"), compound("loss-kill-follower"),
	}
}

// compoundScenarios are the scenarios of issue 16: cheap and frequent
// elections (leader-transfer), operator errors on disk
// (disk-operator-error), and windows that hold several faults at once (the
// compound- family). All must stay linearizable and converge, and prove
// that they did what they are for.
func compoundScenarios() []Scenario {
	return []Scenario{
		with(base("leader-transfer", "leadership moved through the store (POST /leader/transfer) every 100 ms during fault windows, clients reading through every node; linearizable reads"), func(s *Scenario) {
			// Each transfer is a new term whose first milliseconds, before
			// the new leader commits an entry of its own, are where a read
			// index without the per-term barrier reads an old commit index.
			// Dozens of terms per window instead of one per kill; reads
			// dominate and few keys keep every read close to a write.
			s.Clients = 12
			s.Keys = 3
			s.Mix = Mix{Get: 60, Set: 25, Delete: 5, CAS: 10}
			s.Think = 5 * time.Millisecond
			s.ClientTimeout = time.Second
			s.Duration = 10 * time.Second
			s.Quiet = time.Second
			s.Fault = 3 * time.Second
			// Rotate keys: thousands of operations on three keys, with
			// dozens of unknown outcomes per window, are too much for the
			// checker (its budget ran out on the first try).
			s.OpsPerKey = 100
			s.Nemeses = []chaos.Nemesis{chaos.Transfer{Every: 100 * time.Millisecond}}
			s.Proves = []Claim{report.ClaimLeaderTransferred}
		}),
		with(base("disk-operator-error", "an operator's mistakes with a stopped node's directories: the raft directory deleted (the bootstrap node's, or a follower's) or put back from an old copy, the data directory put back from an old copy; the store must rebuild or refuse and be replaced; linearizable reads"), func(s *Scenario) {
			// The bootstrap node (n1, the only one started without -join)
			// losing its raft directory is the dangerous case: started
			// anyway, it would bootstrap a second cluster. It is every
			// other window's fault.
			// Not in the CI set: every window stops a node twice or
			// replaces it, and a run takes about a minute of workload.
			s.CI = false
			s.Duration = 14 * time.Second
			s.Quiet = 1500 * time.Millisecond
			s.Fault = 3 * time.Second
			s.OpsPerKey = 40
			s.Nemeses = []chaos.Nemesis{
				chaos.DirLost{Target: chaos.First, Dir: chaos.DirRaft},
				chaos.DirOld{Target: chaos.Follower, Dir: chaos.DirRaft},
				chaos.DirLost{Target: chaos.First, Dir: chaos.DirRaft},
				chaos.DirOld{Target: chaos.Follower, Dir: chaos.DirData},
			}
			s.Proves = []Claim{report.ClaimOperatorError}
		}),
		with(base("compound-partition-crash", "one window, two faults: a partition plus a kill or pause on one side, chosen to keep the leader or to depose it (no quorum anywhere); linearizable reads"), func(s *Scenario) {
			s.Duration = 10 * time.Second
			s.Quiet = 1500 * time.Millisecond
			s.Fault = 3 * time.Second
			s.Nemeses = []chaos.Nemesis{
				compound("isolate-leader-kill-other"),
				compound("isolate-follower-kill-leader-side"),
				compound("isolate-follower-kill-leader"),
				compound("isolate-pause-follower"),
				compound("isolate-pause-leader"),
			}
			s.Proves = []Claim{report.ClaimCompound}
		}),
		with(base("compound-restart-isolated", "one window, two faults: a node (a follower or the leader) cut off and killed, started again while still cut off, reconnected 3 s later; it must wait for its peers, not act alone; linearizable reads"), func(s *Scenario) {
			s.Duration = 10 * time.Second
			s.Quiet = 1500 * time.Millisecond
			s.Fault = 2 * time.Second
			s.Nemeses = []chaos.Nemesis{compound("isolate-restart-follower"), compound("isolate-restart-leader")}
			s.Proves = []Claim{report.ClaimCompound}
		}),
		with(base("compound-raft-dir-lost", "one window, two faults: the bootstrap node (n1) cut off, its raft directory deleted while it is stopped, and started again while still cut off; it must refuse (and be replaced once reconnected) rather than bootstrap a second cluster; linearizable reads"), func(s *Scenario) {
			// Not in the CI set: the store's refusal is answered by
			// replacing the node, which takes a run past 15 s.
			s.CI = false
			s.Duration = 8 * time.Second
			s.Quiet = 1500 * time.Millisecond
			s.Fault = 3 * time.Second
			s.Nemeses = []chaos.Nemesis{compound("isolate-raft-dir-lost-first")}
			s.Proves = []Claim{report.ClaimCompound, report.ClaimOperatorError}
		}),
		with(base("compound-membership", "one window, two faults: a follower removed from the configuration, then the other follower cut off, so the shrunk configuration has no quorum; healed by reconnecting, then adding the member back; linearizable reads"), func(s *Scenario) {
			s.Duration = 10 * time.Second
			s.Quiet = 1500 * time.Millisecond
			s.Fault = 3 * time.Second
			s.Nemeses = []chaos.Nemesis{compound("remove-isolate")}
			s.Proves = []Claim{report.ClaimCompound}
		}),
		with(base("compound-loss-restart", "one window, two faults: a follower crashed behind a 30% lossy link while the leader compacts past it; it restarts and catches up (snapshot install) under loss; linearizable reads"), func(s *Scenario) {
			s.Duration = 10 * time.Second
			s.Quiet = 1500 * time.Millisecond
			s.Fault = 3 * time.Second
			s.OpsPerKey = 40
			s.Node = NodeSettings{SnapshotThreshold: 64, SnapshotInterval: 250 * time.Millisecond, SnapshotTrailingLogs: 32}
			s.Nemeses = []chaos.Nemesis{compound("loss-kill-follower")}
			s.Proves = []Claim{report.ClaimCompound, report.ClaimSnapshotsInstalled}
		}),
	}
}
