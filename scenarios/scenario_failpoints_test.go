package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/fault"
)

// The failpoint scenarios name points by string: each must be one of the
// node's points (package fault's names, which package failpoint registers),
// or arming fails at run time.
func TestFailpointScenariosNameRealPoints(t *testing.T) {
	known := fault.IsPoint
	names := map[string]bool{}
	for _, s := range failpointScenarios() {
		names[s.Name] = true
		require.NotEmpty(t, s.Nemeses, s.Name)
		for _, n := range s.Nemeses {
			if fp, ok := n.(chaos.Failpoint); ok {
				assert.True(t, known(fp.Point), "%s: unknown point %q", s.Name, fp.Point)
			}
		}
		assert.Equal(t, ExpectLinearizable, s.Expect, s.Name)
	}
	for _, want := range []string{"crash-batch-commit", "crash-snapshot-persist", "crash-snapshot-restore"} {
		assert.True(t, names[want], want)
		_, ok := Lookup(want)
		assert.True(t, ok, want)
	}
}
