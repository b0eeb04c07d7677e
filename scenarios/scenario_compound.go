package scenarios

import (
	"time"

	"github.com/raftlab/raftlab/chaos"
)

// compoundScenarios are the scenarios of issue 16: cheap and frequent
// elections (leader-transfer), operator errors on disk
// (disk-operator-error), and windows that hold several faults at once (the
// compound- family).
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
		}),
	}
}
