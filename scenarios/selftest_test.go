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
		t.Run(c.Bug+"/"+c.Scenario, func(t *testing.T) {
			var outs []selftest.Outcome
			for attempt := range 3 {
				c.Seed = seed + uint64(attempt)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				o := selftest.Run(ctx, []selftest.Case{c}, selftest.Options{Out: t.TempDir()})
				cancel()
				require.Len(t, o, 1)
				require.Empty(t, o[0].Error, "run could not be carried out")
				outs = append(outs, o[0])
				detect := "—"
				if o[0].Detect != nil {
					detect = strconv.FormatFloat(*o[0].Detect, 'f', 1, 64) + "s"
				}
				t.Logf("%s: %s (verdict %s, first violation after %s, run %.0fs)", c, o[0].Word(), o[0].Verdict, detect, o[0].Seconds)
				if o[0].Caught {
					break
				}
			}
			assert.True(t, outs[len(outs)-1].Caught, "the lab missed %s in %s with %d seeds", c.Bug, c.Scenario, len(outs))
		})
	}
}
