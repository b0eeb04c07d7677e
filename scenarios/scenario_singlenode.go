package scenarios

import (
	"time"

	"github.com/raftlab/raftlab/chaos"
)

// singleNodeScenarios are runs of a cluster of one node. A single node
// commits an entry the moment it appends it, so the order of "write it to
// the log" and "apply it and answer the client" is all that keeps an
// acknowledged write durable: a store that answers first loses the write
// when it crashes before the log write. etcd up to v3.5.4 did
// (etcd-io/etcd#14370, fixed in v3.5.5 and v3.4.21); see docs/DESIGN.md
// ("A real bug, on the release that had it") and README.md for the catch
// rate on the affected and the fixed release.
func singleNodeScenarios() []Scenario {
	return []Scenario{
		with(base("crash-single-node", "a cluster of ONE node, SIGKILLed under a high write rate every 4 s, then started with its data; linearizable reads (etcd#14370: etcd v3.5.0-v3.5.4 lose acknowledged writes here)"), func(s *Scenario) {
			s.Nodes = 1
			// Twelve clients writing with almost no pause: each kill finds
			// writes just acknowledged.
			s.Clients = 12
			s.Think = time.Millisecond
			// Rotating keys: a retired key is never written again, so a
			// lost last write stays visible to the final reads.
			s.OpsPerKey = 20
			// A kill every 4 s, six in a run: a restarted etcd takes 1-2 s
			// to answer again, the rest of the quiet window is writes.
			s.Duration = 24 * time.Second
			s.Quiet = 3 * time.Second
			s.Fault = time.Second
			s.Nemeses = []chaos.Nemesis{chaos.Kill{Target: chaos.Leader}}
			// Not in `go test ./scenarios`: it is for the nightly runs on
			// the affected and the fixed etcd release.
			s.CI = false
		}),
	}
}
