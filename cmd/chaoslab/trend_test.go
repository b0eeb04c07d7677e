package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/campaign"
)

// selftestFolder writes a self-test's campaign folder in which bug-a was
// caught in caught of its 3 runs and the unmodified store came out clean.
func selftestFolder(t *testing.T, caught int) string {
	t.Helper()
	axis := &campaign.BugAxis{Seeds: campaign.Seeds(1, 3), Bugs: []campaign.BugScenarios{
		{Bug: "bug-a", Scenarios: []string{"kill-leader"}},
		{Bug: campaign.Unmodified, Scenarios: []string{"kill-leader"}},
	}}
	m := campaign.NewManifest(campaign.Matrix{SelfTest: axis}, campaign.Shard{}, "chaoslab selftest")
	for i := range m.Results {
		r := &m.Results[i]
		r.Status = campaign.Pass
		if r.Planted() && int(r.Seed) > caught {
			r.Status = campaign.Fail // missed
		}
	}
	dir := t.TempDir()
	require.NoError(t, campaign.Write(dir, m))
	return dir
}

// Two nights of a self-test into a trend file that does not exist yet (nor
// its folder): the second night's drop from 3 of 3 to 0 of 3 fails.
func TestTrendOfTwoSelftestsFailsOnADrop(t *testing.T) {
	file := filepath.Join(t.TempDir(), "trend", "trend.jsonl")
	code, out, stderr := cli("trend", "--file", file, "--selftest", selftestFolder(t, 3), "--night", "n1")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "no rate dropped beyond chance")
	code, out, _ = cli("trend", "--file", file, "--campaign", selftestFolder(t, 0), "--night", "n2")
	assert.Equal(t, exitNotLinear, code)
	assert.Contains(t, out, "REGRESSION: bug-a: caught 0 of 3 tonight")
	page, err := os.ReadFile(filepath.Join(filepath.Dir(file), "trend.html"))
	require.NoError(t, err)
	assert.Contains(t, string(page), "Tonight fails:")

	code, _, stderr = cli("trend", "--file", file, "--selftest", t.TempDir())
	assert.Equal(t, exitUnreadable, code, "a folder without campaign.json")
	assert.Contains(t, stderr, "campaign.json")
}
