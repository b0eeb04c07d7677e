package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
)

// storedRun is a real run's folder (chaoslab run --scenario kill-leader
// --duration 6s --seed 1 --clients 3), minus the derived pages and logs.
const storedRun = "testdata/kill-leader-seed1"

// copyRun copies the stored run to a temporary folder (Rebuild writes into
// the folder).
func copyRun(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{RunFile, HistoryFile, SummaryFile} {
		b, err := os.ReadFile(filepath.Join(storedRun, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	return dir
}

func TestRebuildAStoredRun(t *testing.T) {
	orig, err := ReadSummary(filepath.Join(storedRun, SummaryFile))
	require.NoError(t, err)
	dir := copyRun(t)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	sum, err := Rebuild(t.Context(), dir, RebuildOptions{Now: func() time.Time { return now }})
	require.NoError(t, err)

	assert.Equal(t, orig.Verdict, sum.Verdict)
	assert.Equal(t, orig.Outcome, sum.Outcome)
	assert.Equal(t, orig.AsExpected, sum.AsExpected)
	assert.Equal(t, orig.Counts, sum.Counts)
	assert.Equal(t, orig.ByF, sum.ByF)
	assert.Equal(t, orig.ByNode, sum.ByNode)
	assert.Equal(t, orig.FinalReads, sum.FinalReads)
	assert.Equal(t, orig.Phases, sum.Phases)
	assert.Equal(t, orig.Windows, sum.Windows)
	assert.Equal(t, orig.Faults, sum.Faults)
	assert.Equal(t, orig.Convergence, sum.Convergence)
	assert.Equal(t, orig.NodeFigures, sum.NodeFigures)
	require.Len(t, sum.KeyVerdicts, len(orig.KeyVerdicts))
	for k, kr := range orig.KeyVerdicts {
		assert.Equal(t, kr.Verdict, sum.KeyVerdicts[k].Verdict, k)
		assert.Equal(t, kr.Operations, sum.KeyVerdicts[k].Operations, k)
	}
	require.NotNil(t, sum.Rebuilt)
	assert.Equal(t, now, *sum.Rebuilt)
	assert.Greater(t, sum.Counts.Ops, 500, "a real run")

	// The files are rewritten, and the summary on disk is the one returned.
	disk, err := ReadSummary(filepath.Join(dir, SummaryFile))
	require.NoError(t, err)
	assert.Equal(t, sum.Outcome, disk.Outcome)
	require.NotNil(t, disk.Rebuilt)
	rep, err := os.ReadFile(filepath.Join(dir, ReportFile))
	require.NoError(t, err)
	for _, want := range []string{`id="verdict"`, "linearizable, replicas converged — as expected", `id="timeline"`, "<svg",
		`id="phases"`, "stop n1", `id="keys"`, `id="convergence"`, `id="nodes"`, `id="faults"`, "report rebuilt 2026-11-30 12:00:00"} {
		assert.Contains(t, string(rep), want)
	}
	vis, err := os.ReadFile(filepath.Join(dir, VisualFile))
	require.NoError(t, err)
	assert.Contains(t, string(vis), "<html")
}

// Rebuild re-runs the checker rather than trusting the stored verdict: a
// planted violation in the stored history is found.
func TestRebuildRunsTheCheckerAgain(t *testing.T) {
	dir := copyRun(t)
	path := filepath.Join(dir, HistoryFile)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	events, err := linearizability.ReadJSONL(bytes.NewReader(b))
	require.NoError(t, err)
	planted := false
	for i := len(events) - 1; i >= 0 && !planted; i-- {
		if e := &events[i]; e.F == linearizability.FGet && e.Type == linearizability.TypeOk {
			e.Value, planted = linearizability.Str("never-written"), true // a final read sees a value no one wrote
		}
	}
	require.True(t, planted)
	var out bytes.Buffer
	require.NoError(t, linearizability.WriteJSONL(&out, events))
	require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))

	sum, err := Rebuild(t.Context(), dir, RebuildOptions{})
	require.NoError(t, err)
	assert.Equal(t, linearizability.NotLinearizable, sum.Verdict)
	assert.False(t, sum.AsExpected)
	assert.Equal(t, readcheck.Violated, sum.Contract)
	require.NotEmpty(t, sum.Anomalies)
	assert.Equal(t, readcheck.NeverWrittenRead, sum.Anomalies[0].Kind)
	assert.True(t, strings.HasPrefix(sum.Outcome, "READ CONTRACT BROKEN: never-written-read on key k8"), sum.Outcome)
	assert.Contains(t, sum.Outcome, "linearizable reads NOT linearizable (1 keys)")

	// The rebuilt summary.json carries the contracts; rebuilding again
	// gives the same.
	again, err := Rebuild(t.Context(), dir, RebuildOptions{})
	require.NoError(t, err)
	assert.Equal(t, sum.Outcome, again.Outcome)
	assert.Equal(t, sum.Levels, again.Levels)
	assert.Equal(t, sum.Anomalies, again.Anomalies)
	disk, err := ReadSummary(filepath.Join(dir, SummaryFile))
	require.NoError(t, err)
	assert.Equal(t, readcheck.Violated, disk.ReadContract())
	assert.Equal(t, sum.Anomalies, disk.Anomalies)
}

// The stored run's summary.json was written before read contracts: it has
// no contract field, and it still reads as the verdict it stated.
func TestOldSummaryReadsAsItsLinearizabilityVerdict(t *testing.T) {
	orig, err := ReadSummary(filepath.Join(storedRun, SummaryFile))
	require.NoError(t, err)
	require.Empty(t, orig.Contract, "written before contracts")
	assert.Equal(t, readcheck.OK, orig.ReadContract())
	assert.True(t, orig.Passed())
}

func TestRebuildOfAnUnreadableFolder(t *testing.T) {
	_, err := Rebuild(t.Context(), t.TempDir(), RebuildOptions{})
	assert.ErrorIs(t, err, ErrUnreadable)

	dir := copyRun(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, HistoryFile), []byte("{\"process\":0}\nnot json\n"), 0o644))
	_, err = Rebuild(t.Context(), dir, RebuildOptions{})
	assert.ErrorIs(t, err, ErrUnreadable)
	assert.Contains(t, err.Error(), "line 1")
}

// A folder written before run.json existed is rebuilt from its summary.json.
func TestRebuildWithoutRunJSON(t *testing.T) {
	dir := copyRun(t)
	require.NoError(t, os.Remove(filepath.Join(dir, RunFile)))
	orig, err := ReadSummary(filepath.Join(storedRun, SummaryFile))
	require.NoError(t, err)
	sum, err := Rebuild(t.Context(), dir, RebuildOptions{})
	require.NoError(t, err)
	assert.Equal(t, orig.Verdict, sum.Verdict)
	assert.Equal(t, orig.Counts, sum.Counts)
	assert.Equal(t, orig.Phases, sum.Phases)
	assert.Empty(t, sum.Artifacts.Run)
}
