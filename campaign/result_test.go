package campaign

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
)

func contextCancelled() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx, cancel
}

func TestRecordJudgesAgainstTheExpectation(t *testing.T) {
	safe, _ := scenarios.Lookup("kill-leader")
	broken, _ := scenarios.Lookup("stale-reads")
	m := Matrix{Scenarios: []string{"kill-leader", "stale-reads"}, Seeds: []uint64{1}}
	for _, tc := range []struct {
		name      string
		s         scenarios.Scenario
		verdict   linearizability.Verdict
		converged bool
		want      Status
	}{
		{"safe, linearizable", safe, linearizability.Linearizable, true, Pass},
		{"safe, violation", safe, linearizability.NotLinearizable, true, Fail},
		{"safe, diverged", safe, linearizability.Linearizable, false, Fail},
		{"safe, unknown", safe, linearizability.Unknown, true, Unknown},
		{"broken, caught", broken, linearizability.NotLinearizable, true, Pass},
		{"broken, missed", broken, linearizability.Linearizable, true, Fail},
		{"broken, unknown is never a pass", broken, linearizability.Unknown, true, Unknown},
	} {
		r := newResult(m, Job{Scenario: tc.s.Name, Seed: 1})
		r.record(fakeSummary(tc.s, 1, tc.verdict, tc.converged), nil, 3*time.Second)
		assert.Equal(t, tc.want, r.Status, tc.name)
	}

	r := newResult(m, Job{Scenario: "kill-leader", Seed: 1})
	r.record(nil, errors.New("no Docker"), time.Second)
	assert.Equal(t, Error, r.Status)
	assert.Contains(t, r.Message(), "no Docker")

	r = newResult(m, Job{Scenario: "kill-leader", Seed: 1})
	sum := fakeSummary(safe, 1, linearizability.Unknown, false)
	sum.Interrupted = true
	r.record(sum, context.Canceled, time.Second)
	assert.Equal(t, Error, r.Status)
	assert.Contains(t, r.Reason, "interrupted")
}

func TestReproRepeatsTheRunExactly(t *testing.T) {
	m := Matrix{Scenarios: []string{"stale-reads"}, Seeds: []uint64{42}, Duration: 8 * time.Second}
	r := newResult(m, m.Jobs()[0])
	assert.Equal(t, "chaoslab run --scenario stale-reads --seed 42 --duration 8s", r.Repro)
	m.Duration = 0
	r = newResult(m, m.Jobs()[0])
	assert.Equal(t, "chaoslab run --scenario stale-reads --seed 42 --duration 12s", r.Repro, "the scenario's own duration, explicit")
	m.CheckTimeout = time.Minute
	r = newResult(m, m.Jobs()[0])
	assert.Equal(t, "chaoslab run --scenario stale-reads --seed 42 --duration 12s --check-timeout 1m0s", r.Repro)
}

func TestFailureMessageCarriesTheExplanation(t *testing.T) {
	safe, _ := scenarios.Lookup("kill-leader")
	r := newResult(Matrix{Scenarios: []string{"kill-leader"}, Seeds: []uint64{1}}, Job{Scenario: "kill-leader", Seed: 1})
	r.record(fakeSummary(safe, 1, linearizability.NotLinearizable, true), nil, time.Second)
	assert.Equal(t, `NOT linearizable (1 of 8 keys): key k1: the get by process 3 read "c1-4", a value already overwritten`, r.Message())
}

// A run whose faults did not take effect is never a pass: it is unknown,
// with the reason; a violation it found still counts.
func TestRecordOfARunWhoseFaultsDidNotTakeEffect(t *testing.T) {
	safe, _ := scenarios.Lookup("kill-leader")
	m := Matrix{Scenarios: []string{"kill-leader"}, Seeds: []uint64{1}}
	r := newResult(m, Job{Scenario: "kill-leader", Seed: 1})
	sum := fakeSummary(safe, 1, linearizability.Linearizable, true)
	sum.AsExpected = false
	sum.FaultEffect = &report.FaultEffect{Windows: 2, Failed: 2, Needed: 1, Detail: "0 of 2 fault windows took effect"}
	r.record(sum, nil, time.Second)
	assert.Equal(t, Unknown, r.Status)
	assert.Contains(t, r.Reason, "too few faults took effect")
	assert.True(t, r.Failed())

	r = newResult(m, Job{Scenario: "kill-leader", Seed: 1})
	sum.Verdict = linearizability.NotLinearizable
	r.record(sum, nil, time.Second)
	assert.Equal(t, Fail, r.Status)
}

// A pass whose run had problems shows them on the page, apart from the
// runs not as expected.
func TestAPassingRunsProblemsAreOnThePage(t *testing.T) {
	safe, _ := scenarios.Lookup("kill-leader")
	m := NewManifest(Matrix{Scenarios: []string{"kill-leader"}, Seeds: []uint64{1}}, Shard{}, "test")
	sum := fakeSummary(safe, 1, linearizability.Linearizable, true)
	sum.Errors = []string{"heal: start n2: timeout"}
	sum.FaultEffect = &report.FaultEffect{Windows: 3, Effective: 2, Ineffective: 1, Needed: 2, OK: true, Detail: "2 of 3 fault windows took effect; kill n2: n2 still answered /status"}
	m.Results[0].record(sum, nil, time.Second)
	require.Equal(t, Pass, m.Results[0].Status)
	var page bytes.Buffer
	require.NoError(t, WritePage(&page, m))
	assert.Contains(t, page.String(), "As expected, with problems — 1 run")
	assert.Contains(t, page.String(), "<li>heal: start n2: timeout</li>")
	assert.Contains(t, page.String(), "<li>1 of 3 fault windows did not take effect: 2 of 3 fault windows took effect; kill n2: n2 still answered /status</li>")
	assert.Contains(t, page.String(), "⚠ 2 problems (below)")
}

func TestDurationScaleLengthensEveryScenario(t *testing.T) {
	kl, _ := scenarios.Lookup("kill-leader")
	m := Matrix{Scenarios: []string{"kill-leader"}, Seeds: []uint64{1}, Scale: 3}
	require.NoError(t, m.Validate())
	s, err := m.Scenario(Job{Scenario: "kill-leader", Seed: 1})
	require.NoError(t, err)
	assert.Equal(t, 3*kl.Duration, s.Duration)
	r := newResult(m, Job{Scenario: "kill-leader", Seed: 1})
	assert.Contains(t, r.Repro, "--duration "+(3*kl.Duration).String(), "the repro repeats the scaled run")
	assert.False(t, m.Equal(Matrix{Scenarios: []string{"kill-leader"}, Seeds: []uint64{1}}))
	m.Scale = 25
	assert.Error(t, m.Validate())
}
