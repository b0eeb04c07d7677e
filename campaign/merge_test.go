package campaign

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/scenarios"
)

// runShard runs shard sh of m with the fake runner into dir and writes its
// files there.
func runShard(t *testing.T, m Matrix, sh Shard, dir string) *Manifest {
	t.Helper()
	clock := newFakeClock()
	man := NewManifest(m, sh, "chaoslab campaign --shard "+sh.String())
	require.NoError(t, Execute(t.Context(), man, Options{
		Out: dir, Runner: &fakeRunner{clock: clock, overhead: 5 * time.Second}, Now: clock.Now,
		Checkpoint: func(m *Manifest) error { return Write(dir, m) },
	}))
	return man
}

var mergeMatrix = Matrix{Scenarios: []string{"kill-leader", "stale-reads", "pause"}, Seeds: Seeds(10, 2), Duration: 5 * time.Second}

func TestMergeShardsInsideOut(t *testing.T) {
	out := t.TempDir()
	for i := 1; i <= 3; i++ {
		runShard(t, mergeMatrix, Shard{Index: i, Total: 3}, filepath.Join(out, "shard-"+string(rune('0'+i))))
	}
	m, err := Merge(out, []string{filepath.Join(out, "shard-3"), filepath.Join(out, "shard-1"), filepath.Join(out, "shard-2")}, "merge")
	require.NoError(t, err)
	require.Len(t, m.Results, 6)
	assert.Len(t, m.Sources, 3)
	for i, r := range m.Results {
		assert.Equal(t, i, r.Index, "matrix order")
		assert.Equal(t, Pass, r.Status, r.Name())
		assert.FileExists(t, filepath.Join(out, filepath.FromSlash(r.Report)), "the link works from out")
		assert.Contains(t, r.Report, "shard-", "inside out: referred to in place, not copied")
	}
	assert.NoDirExists(t, filepath.Join(out, RunsDir))
	assert.Equal(t, AllPassed, m.Tally().Verdict())
	require.NoError(t, Write(out, m))
	again, err := ReadManifest(out)
	require.NoError(t, err)
	assert.Equal(t, m.Results, again.Results, "the manifest round-trips")
}

func TestMergeCopiesRunsFromOutsideAndListsMissingShards(t *testing.T) {
	src, out := t.TempDir(), t.TempDir()
	runShard(t, mergeMatrix, Shard{Index: 1, Total: 2}, filepath.Join(src, "a"))
	// shard 2/2 died before writing anything.
	m, err := Merge(out, []string{filepath.Join(src, "a")}, "merge")
	require.NoError(t, err)
	require.Len(t, m.Results, 6)
	for _, r := range m.Results {
		if r.Index%2 == 0 {
			assert.Equal(t, Pass, r.Status)
			assert.Equal(t, "runs/"+r.Name()+"/report.html", r.Report)
			assert.FileExists(t, filepath.Join(out, "runs", r.Name(), "report.html"), "copied into out")
		} else {
			assert.Equal(t, Pending, r.Status, r.Name())
			assert.Equal(t, "its shard 2/2 reported nothing", r.Reason)
			assert.NotEmpty(t, r.Repro)
		}
	}
	assert.Equal(t, Errors, m.Tally().Verdict(), "a missing shard is not a pass")
}

func TestMergeRefusesMismatchedShards(t *testing.T) {
	root := t.TempDir()
	a, b, c := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "c")
	runShard(t, mergeMatrix, Shard{Index: 1, Total: 2}, a)
	other := mergeMatrix
	other.Seeds = Seeds(99, 2)
	runShard(t, other, Shard{Index: 2, Total: 2}, b)
	_, err := Merge(t.TempDir(), []string{a, b}, "merge")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "different matrix")

	_, err = Merge(t.TempDir(), []string{a, a}, "merge")
	require.Error(t, err, "the same shard twice")
	assert.Contains(t, err.Error(), "is in both")

	runShard(t, mergeMatrix, Shard{Index: 2, Total: 3}, c)
	_, err = Merge(t.TempDir(), []string{a, c}, "merge")
	require.Error(t, err, "shards of different splits")

	_, err = Merge(t.TempDir(), []string{filepath.Join(root, "nope")}, "merge")
	assert.Error(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "bad.json"), []byte("{"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "bad"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "bad", ManifestFile), []byte("{"), 0o644))
	_, err = Merge(t.TempDir(), []string{filepath.Join(root, "bad")}, "merge")
	assert.Error(t, err)
}

func TestMergedShardsEqualTheWholeCampaign(t *testing.T) {
	root := t.TempDir()
	whole := runShard(t, mergeMatrix, Shard{}, filepath.Join(root, "whole"))
	runShard(t, mergeMatrix, Shard{Index: 1, Total: 2}, filepath.Join(root, "s1"))
	runShard(t, mergeMatrix, Shard{Index: 2, Total: 2}, filepath.Join(root, "s2"))
	m, err := Merge(root, []string{filepath.Join(root, "s1"), filepath.Join(root, "s2")}, "merge")
	require.NoError(t, err)
	require.Len(t, m.Results, len(whole.Results))
	for i := range whole.Results {
		w, g := whole.Results[i], m.Results[i]
		assert.Equal(t, w.Job, g.Job)
		assert.Equal(t, w.Status, g.Status)
		assert.Equal(t, w.Repro, g.Repro)
	}
}

// A merged campaign keeps the misses of retried must-fail runs, with their
// folders moved beside the run's.
func TestMergeKeepsMissedAttempts(t *testing.T) {
	shard := t.TempDir()
	m := NewManifest(Matrix{Scenarios: []string{"stale-reads"}, Seeds: []uint64{1}}, Shard{}, "test")
	r := &m.Results[0]
	r.Status, r.Expect, r.Verdict = Pass, scenarios.ExpectViolation, linearizability.NotLinearizable
	r.Dir, r.Attempts, r.Missed = "runs/stale-reads-s1-attempt2", 2, []string{"runs/stale-reads-s1"}
	for _, d := range []string{r.Dir, r.Missed[0]} {
		require.NoError(t, os.MkdirAll(filepath.Join(shard, d), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(shard, d, "report.html"), []byte("x"), 0o644))
	}
	require.NoError(t, Write(shard, m))
	out := t.TempDir()
	merged, err := Merge(out, []string{shard}, "merge")
	require.NoError(t, err)
	got := merged.Results[0]
	assert.Equal(t, []string{"runs/stale-reads-s1"}, got.Missed)
	assert.FileExists(t, filepath.Join(out, "runs", "stale-reads-s1", "report.html"))
	assert.Equal(t, "caught 1 of 2 attempts", got.AttemptWords())
	assert.Equal(t, 2, merged.Tally().MustFailAttempts)
}

// Shards of different systems ran different matrices: merging them is an error.
func TestMatrixEqualSystem(t *testing.T) {
	a := Matrix{Scenarios: []string{"kill-leader"}, Seeds: []uint64{1}}
	b := a
	b.System = "etcd"
	if a.Equal(b) {
		t.Fatal("matrices of different systems compare equal")
	}
	if !b.Equal(b) {
		t.Fatal("a matrix differs from itself")
	}
}
