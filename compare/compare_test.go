package compare

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/scenarios"
	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/systemtest"
)

// TestBuildAndWrite compares real runs of the runner on two in-memory
// systems, one of which lacks the network faults: its cell is not
// applicable, the other's figures come from its runs.
func TestBuildAndWrite(t *testing.T) {
	dir := t.TempDir()
	full := systemtest.System{}
	noNet := systemtest.System{Has: []system.Capability{system.Kill}}
	var runs []Run
	na := map[string]string{}
	for _, name := range []string{"kill-leader", "partition-leader"} {
		s, ok := scenarios.Lookup(name)
		require.True(t, ok)
		s.Duration, s.Quiet, s.Fault = 2*time.Second, 400*time.Millisecond, 800*time.Millisecond
		for i, sys := range []system.System{full, noNet} {
			sysName := []string{"a", "b"}[i]
			if ok, why := scenarios.Applicable(s, sys); !ok {
				na[name+"/"+sysName] = why
				continue
			}
			rel := filepath.Join("runs", sysName, name)
			sum, err := scenarios.Run(context.Background(), s, scenarios.Options{Seed: 3, Out: filepath.Join(dir, rel), System: sys})
			require.NoError(t, err)
			runs = append(runs, Run{System: sysName, Summary: sum, Dir: rel})
		}
	}
	c := Build([]string{"a", "b"}, []string{"kill-leader", "partition-leader"}, []uint64{3}, runs, na, nil)
	require.Len(t, c.Cells, 4)
	assert.Equal(t, 1, c.Cells[0].Runs)
	assert.Equal(t, 1, c.Cells[0].AsExpected)
	assert.Positive(t, c.Cells[0].Quiet.OKPerSec)
	assert.Equal(t, 1, c.Cells[1].Runs, "kill-leader runs on the system with kills only")
	assert.Empty(t, c.Cells[1].NotApplicable)
	assert.Contains(t, c.Cells[3].NotApplicable, "network", "partition-leader needs network faults")
	assert.Zero(t, c.Cells[3].Runs)
	require.NotEmpty(t, c.Kinds)

	require.NoError(t, Write(dir, c))
	b, err := os.ReadFile(filepath.Join(dir, JSONFile))
	require.NoError(t, err)
	var back Comparison
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, c.Systems, back.Systems)
	html, err := os.ReadFile(filepath.Join(dir, PageFile))
	require.NoError(t, err)
	assert.Contains(t, string(html), "<svg")
	assert.Contains(t, string(html), "not applicable: network")
}
