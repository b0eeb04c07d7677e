package campaign

import (
	"testing"
	"time"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/scenarios"
)

// sampleManifest is a finished campaign with every status: three scenarios
// × three seeds, run by the fake runner with a budget that skips the last
// runs; kill-leader seed 2 finds an unexpected violation, pause seed 1 is
// undecided, stale-reads seed 2 misses its planted bug, pause seed 2 could
// not be carried out.
func sampleManifest(t *testing.T) (*Manifest, string) {
	t.Helper()
	clock := newFakeClock()
	f := &fakeRunner{clock: clock, overhead: 8 * time.Second}
	f.outcome = func(s scenarios.Scenario, seed uint64) (linearizability.Verdict, bool) {
		switch {
		case s.Name == "kill-leader" && seed == 2:
			return linearizability.NotLinearizable, true
		case s.Name == "pause" && seed == 1:
			return linearizability.Unknown, true
		case s.Name == "stale-reads" && seed == 2:
			return linearizability.Linearizable, true
		case s.Expect == scenarios.ExpectViolation:
			return linearizability.NotLinearizable, true
		}
		return linearizability.Linearizable, true
	}
	m := NewManifest(Matrix{Scenarios: []string{"kill-leader", "pause", "stale-reads"}, Seeds: Seeds(1, 3), Duration: 12 * time.Second},
		Shard{}, "chaoslab campaign --scenarios kill-leader,pause,stale-reads --seeds 3 --seed 1 --duration 12s --budget 2m30s")
	out := runFake(t, m, f, 150*time.Second)
	for i := range m.Results {
		if m.Results[i].Name() == "pause-s2" {
			m.Results[i].Status = Error
			m.Results[i].Verdict = ""
			m.Results[i].Reason = "the run could not be carried out: scenarios: pause: cluster: node n2 not ready within 60s"
		}
	}
	return m, out
}
