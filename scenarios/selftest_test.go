package scenarios_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/campaign"
	"github.com/raftlab/raftlab/selftest"
)

// TestSelftestSubset proves on every CI run that the lab still catches a few
// planted bugs (selftest.CISubset): each bug, switched on in every node, must
// make its scenario come out not linearizable (or diverged). Catching is
// probabilistic, so a miss gets up to two more seeds; three misses fail. The
// unmodified store's runs of the same scenarios are TestScenarios.
func TestSelftestSubset(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker; skipped with -short")
	}
	if os.Getenv("RAFTLAB_SELFTEST") == "skip" {
		t.Skip("RAFTLAB_SELFTEST=skip")
	}
	seed := uint64(time.Now().UnixNano()&(1<<40-1) | 1)
	if v := os.Getenv("RAFTLAB_SEED"); v != "" {
		var err error
		seed, err = strconv.ParseUint(v, 10, 64)
		require.NoError(t, err)
	}
	for _, c := range selftest.CISubset {
		_, ok := bugs.Lookup(c.Bug)
		require.True(t, ok, "unknown planted bug %s", c.Bug)
		t.Run(c.Bug+"/"+c.Scenarios[0], func(t *testing.T) {
			var last campaign.Result
			for attempt := range 3 {
				// Through the campaign's driver, as chaoslab selftest runs it.
				m := campaign.NewManifest(campaign.Matrix{SelfTest: &campaign.BugAxis{
					Bugs: []campaign.BugScenarios{c}, Seeds: []uint64{seed + uint64(attempt)}}}, campaign.Shard{}, "TestSelftestSubset")
				require.Len(t, m.Results, 1)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				err := campaign.Execute(ctx, m, campaign.Options{Out: t.TempDir(), Runner: campaign.ScenarioRunner{CheckTimeout: 20 * time.Second}})
				cancel()
				require.NoError(t, err)
				last = m.Results[0]
				require.NotEqual(t, campaign.Error, last.Status, "run could not be carried out: %s", last.Reason)
				detect := "—"
				if last.FirstViolation != nil {
					detect = strconv.FormatFloat(*last.FirstViolation, 'f', 1, 64) + "s"
				}
				t.Logf("%s: %s %s (verdict %s, first violation after %s, run %.0fs)", last.Label(), last.Status, last.Reason, last.Verdict, detect, last.Elapsed)
				if last.Caught() {
					break
				}
			}
			assert.True(t, last.Caught(), "the lab missed %s in %s with 3 seeds", c.Bug, c.Scenarios[0])
		})
	}
}
