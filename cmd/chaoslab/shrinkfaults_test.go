package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/faultshrink"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
)

func TestParseRunFlagsScenarioFile(t *testing.T) {
	s, _ := scenarios.Lookup("leader-reads-partition")
	plan := s.Schedule().Plan(7)
	path := filepath.Join(t.TempDir(), "min.json")
	require.NoError(t, scenarios.WriteFile(path, scenarios.NewFile(s, 7, []chaos.Step{plan[2]}, []int{2})))

	f, err := parseRunFlags([]string{"--scenario-file", path})
	require.NoError(t, err)
	assert.Equal(t, uint64(7), f.seed, "the file's seed")
	assert.Equal(t, []chaos.Step{plan[2]}, f.scenario.Steps)

	f, err = parseRunFlags([]string{"--scenario-file", path, "--seed", "9"})
	require.NoError(t, err)
	assert.Equal(t, uint64(9), f.seed, "--seed overrides")

	for _, args := range [][]string{
		{"--scenario-file", path, "--scenario", "kill-leader"},
		{"--scenario-file", path, "--duration", "5s"},
		{"--scenario-file", filepath.Join(t.TempDir(), "absent.json")},
	} {
		code, _, stderr := cli(append([]string{"run"}, args...)...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Contains(t, stderr, "--scenario-file", "%v", args)
	}
}

func TestShrinkFaultsUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"a", "b"},
		{"dir", "--replays", "0"},
		{"dir", "--replays", "3", "--budget", "2"},
		{"dir", "--node-src", "x", "--image", "y"},
	} {
		code, _, stderr := cli(append([]string{"shrink-faults"}, args...)...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Contains(t, stderr, "usage: chaoslab shrink-faults", "%v", args)
	}
	code, _, stderr := cli("shrink-faults", filepath.Join(t.TempDir(), "absent"))
	assert.Equal(t, exitUnreadable, code)
	assert.Contains(t, stderr, "run.json")
}

func TestLoadRunScenario(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, report.WriteRun(dir, report.Run{
		Seed: 11,
		Scenario: report.Scenario{Name: "leader-reads-partition", Nodes: 5, Clients: 4, Keys: 2,
			Duration: 10},
	}))
	s, seed, err := loadRunScenario(dir)
	require.NoError(t, err)
	assert.Equal(t, uint64(11), seed)
	assert.Equal(t, 5, s.Nodes)
	assert.Equal(t, 10*time.Second, s.Duration)
	assert.Nil(t, s.Steps, "the seed's plan")

	// A run from a scenario file carries its explicit schedule.
	steps := []chaos.Step{{At: time.Second, Length: 2 * time.Second, Seed: 3}}
	require.NoError(t, scenarios.WriteFile(filepath.Join(dir, scenarioCopy), scenarios.NewFile(s, 12, steps, nil)))
	s, seed, err = loadRunScenario(dir)
	require.NoError(t, err)
	assert.Equal(t, uint64(12), seed)
	assert.Equal(t, steps, s.Steps)

	require.NoError(t, os.WriteFile(filepath.Join(dir, scenarioCopy), []byte("{"), 0o644))
	_, _, err = loadRunScenario(dir)
	require.Error(t, err)
}

func TestSubSchedule(t *testing.T) {
	s, _ := scenarios.Lookup("leader-reads-partition")
	plan := s.Schedule().Plan(5)
	sub := subSchedule(s, plan, []int{1, 3})
	assert.Equal(t, []chaos.Step{plan[1], plan[3]}, sub.Steps)
	assert.Equal(t, plan[3].At+plan[3].Length+max(s.Quiet, time.Second), sub.Duration, "ends a quiet window after the last kept window")
	assert.Equal(t, s.Duration, subSchedule(s, plan, []int{len(plan) - 1}).Duration, "never longer than the run")
}

func TestReplayOutcome(t *testing.T) {
	// A scenario broken on purpose: caught is the failure sought.
	caught := &report.Summary{Expect: report.ExpectViolation, AsExpected: true, Converged: true, Contract: "ok"}
	assert.Equal(t, faultshrink.Failed, replayOutcome(caught))
	missed := &report.Summary{Expect: report.ExpectViolation, Converged: true, Contract: "ok"}
	assert.Equal(t, faultshrink.Passed, replayOutcome(missed))
	doubt := &report.Summary{Expect: report.ExpectViolation, Converged: true, Contract: "unknown"}
	assert.Equal(t, faultshrink.Unknown, replayOutcome(doubt))

	// Any other scenario: a violation is the failure.
	bad := &report.Summary{Expect: report.ExpectLinearizable, Converged: true, Contract: "violated"}
	assert.Equal(t, faultshrink.Failed, replayOutcome(bad))
	good := &report.Summary{Expect: report.ExpectLinearizable, Converged: true, Contract: "ok"}
	assert.Equal(t, faultshrink.Passed, replayOutcome(good))
	few := &report.Summary{Expect: report.ExpectLinearizable, Converged: true, Contract: "ok",
		FaultEffect: &report.FaultEffect{OK: false}}
	assert.Equal(t, faultshrink.Unknown, replayOutcome(few), "too few faults took effect is no pass")
}
