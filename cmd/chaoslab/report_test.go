package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/report"
)

func TestReportRebuildsAStoredRun(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{report.RunFile, report.HistoryFile} {
		b, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", "kill-leader-seed1", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	code, stdout, stderr := cli("report", dir)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "scenario kill-leader, seed 1: linearizable, replicas converged — as expected")
	for _, f := range []string{report.SummaryFile, report.ReportFile, report.VisualFile} {
		assert.FileExists(t, filepath.Join(dir, f))
	}

	code, stdout, _ = cli("report", "--json", dir)
	require.Equal(t, exitOK, code)
	var s report.Summary
	require.NoError(t, json.Unmarshal([]byte(stdout), &s))
	assert.NotNil(t, s.Rebuilt)
}

func TestReportErrors(t *testing.T) {
	code, _, stderr := cli("report")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "want exactly one RUN_DIR")
	code, _, _ = cli("report", "a", "b")
	assert.Equal(t, exitUsage, code)
	code, _, stderr = cli("report", filepath.Join(t.TempDir(), "nothing"))
	assert.Equal(t, exitUnreadable, code)
	assert.True(t, strings.Contains(stderr, "unreadable run folder"), stderr)
}
