package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/campaign"
)

func TestParseCampaignFlags(t *testing.T) {
	f, err := parseCampaignFlags([]string{"--scenarios", "kill-leader,stale-reads,pause", "--seeds", "3", "--seed", "40",
		"--duration", "8s", "--budget", "45m", "--shard", "2/3", "--out", "/tmp/c", "--title", "x"})
	require.NoError(t, err)
	assert.Equal(t, []string{"kill-leader", "stale-reads", "pause"}, f.matrix.Scenarios)
	assert.Equal(t, []uint64{40, 41, 42}, f.matrix.Seeds)
	assert.Equal(t, 8*time.Second, f.matrix.Duration)
	assert.Equal(t, 45*time.Minute, f.budget)
	assert.Equal(t, campaign.Shard{Index: 2, Total: 3}, f.shard)
	assert.Equal(t, "/tmp/c", f.out)

	f, err = parseCampaignFlags(nil)
	require.NoError(t, err)
	ci, err := campaign.Resolve("ci")
	require.NoError(t, err)
	assert.Equal(t, ci, f.matrix.Scenarios, "default: the ci set")
	assert.Len(t, f.matrix.Seeds, 1)
	assert.Positive(t, f.matrix.Seeds[0])
	assert.Zero(t, f.budget)
}

func TestParseCampaignFlagsErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--scenarios", "nope"},
		{"--scenarios", ""},
		{"--seeds", "0"},
		{"--seed", "0"},
		{"--seed", "x"},
		{"--shard", "3/2"},
		{"--shard", "1/2"}, // without --seed the shards would disagree
		{"--duration", "10ms"},
		{"--budget", "-1m"},
		{"--check-timeout", "0s"},
		{"extra"},
	} {
		_, err := parseCampaignFlags(args)
		assert.Error(t, err, "%q accepted", args)
	}
	code, _, stderr := cli("campaign", "--scenarios", "nope")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `unknown scenario or set "nope"`)
}

func TestCampaignExitCodes(t *testing.T) {
	assert.Equal(t, exitOK, campaignExit(campaign.Tally{Runs: 2, Pass: 2}))
	assert.Equal(t, exitIncomplete, campaignExit(campaign.Tally{Runs: 2, Pass: 1, Skipped: 1}))
	assert.Equal(t, exitFailure, campaignExit(campaign.Tally{Runs: 2, Skipped: 2}), "a shard that ran nothing fails")
	assert.Equal(t, exitFailure, campaignExit(campaign.Tally{Runs: 2, Pass: 1, Error: 1, Skipped: 1}))
	assert.Equal(t, exitFailure, campaignExit(campaign.Tally{Runs: 2, Pass: 1, Pending: 1}))
	assert.Equal(t, exitUnknown, campaignExit(campaign.Tally{Runs: 2, Unknown: 1, Error: 1}))
	assert.Equal(t, exitNotLinear, campaignExit(campaign.Tally{Runs: 3, Fail: 1, Unknown: 1, Error: 1}))
}

// shardDir writes a finished shard of the ci matrix whose runs all had
// status st.
func shardDir(t *testing.T, dir string, sh campaign.Shard, st campaign.Status) {
	t.Helper()
	m := campaign.NewManifest(campaign.Matrix{Scenarios: []string{"kill-leader", "stale-reads"}, Seeds: []uint64{5}}, sh, "test")
	for i := range m.Results {
		m.Results[i].Status = st
	}
	require.NoError(t, campaign.Write(dir, m))
}

func TestCampaignMergeCLI(t *testing.T) {
	root := t.TempDir()
	shardDir(t, filepath.Join(root, "a"), campaign.Shard{Index: 1, Total: 2}, campaign.Pass)
	shardDir(t, filepath.Join(root, "b"), campaign.Shard{Index: 2, Total: 2}, campaign.Pass)
	code, stdout, stderr := cli("campaign", "merge", filepath.Join(root, "out"), filepath.Join(root, "a"), filepath.Join(root, "b"))
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "PASSED")
	for _, f := range []string{campaign.PageFile, campaign.JUnitFile, campaign.MarkdownFile, campaign.ManifestFile} {
		assert.FileExists(t, filepath.Join(root, "out", f))
	}

	code, _, _ = cli("campaign", "merge", filepath.Join(root, "one"), filepath.Join(root, "a"))
	assert.Equal(t, exitFailure, code, "a missing shard")

	shardDir(t, filepath.Join(root, "c"), campaign.Shard{Index: 2, Total: 2}, campaign.Skipped)
	code, _, _ = cli("campaign", "merge", filepath.Join(root, "inc"), filepath.Join(root, "a"), filepath.Join(root, "c"))
	assert.Equal(t, exitIncomplete, code)

	shardDir(t, filepath.Join(root, "d"), campaign.Shard{Index: 2, Total: 2}, campaign.Fail)
	code, _, _ = cli("campaign", "merge", filepath.Join(root, "bad"), filepath.Join(root, "a"), filepath.Join(root, "d"))
	assert.Equal(t, exitNotLinear, code)

	require.NoError(t, os.MkdirAll(filepath.Join(root, "junk"), 0o755))
	code, _, stderr = cli("campaign", "merge", filepath.Join(root, "x"), filepath.Join(root, "junk"))
	assert.Equal(t, exitUnreadable, code)
	assert.Contains(t, stderr, "campaign.json")

	code, _, _ = cli("campaign", "merge", filepath.Join(root, "x"))
	assert.Equal(t, exitUsage, code)
}

func TestShellJoinQuotesWhatTheShellWouldSplit(t *testing.T) {
	assert.Equal(t, `--title 'Nightly chaos' --seed 5 --scenarios ci,pause 'it'\''s'`,
		shellJoin([]string{"--title", "Nightly chaos", "--seed", "5", "--scenarios", "ci,pause", "it's"}))
}
