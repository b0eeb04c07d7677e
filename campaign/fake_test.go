package campaign

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/scenarios"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeRunner "runs" a scenario by advancing the clock by its duration plus
// overhead and returning the outcome outcome(job) chooses; it writes a
// report.html into the run's folder as the real runner does.
type fakeRunner struct {
	clock    *fakeClock
	overhead time.Duration
	outcome  func(s scenarios.Scenario, seed uint64) (linearizability.Verdict, bool) // verdict, converged
	ran      []string
}

func (f *fakeRunner) Run(ctx context.Context, s scenarios.Scenario, seed uint64, dir string, progress io.Writer) (*report.Summary, error) {
	f.ran = append(f.ran, Job{Scenario: s.Name, Seed: seed}.Name())
	f.clock.Advance(s.Duration + f.overhead)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, report.ReportFile), []byte("<html>report</html>"), 0o644); err != nil {
		return nil, err
	}
	v, conv := linearizability.Linearizable, true // by default every run is as expected
	if s.Expect == scenarios.ExpectViolation {
		v = linearizability.NotLinearizable
	}
	if f.outcome != nil {
		v, conv = f.outcome(s, seed)
	}
	return fakeSummary(s, seed, v, conv), nil
}

// fakeSummary is a summary with the fields a campaign reads.
func fakeSummary(s scenarios.Scenario, seed uint64, v linearizability.Verdict, converged bool) *report.Summary {
	sum := &report.Summary{Scenario: s.Name, Expect: s.Expect, Seed: seed, Verdict: v, Converged: converged}
	sum.Counts.Ops = 1234
	sum.Phases = map[string]report.Stats{report.PhaseFault: {Availability: 0.875}}
	switch s.Expect {
	case scenarios.ExpectViolation:
		sum.AsExpected = v == linearizability.NotLinearizable
	default:
		sum.AsExpected = v == linearizability.Linearizable && converged
	}
	sum.Outcome = string(v)
	if v == linearizability.NotLinearizable {
		fv := 3.25
		sum.FirstViolation = &fv
		sum.Explanations = []string{"key k1: the get by process 3 read \"c1-4\", a value already overwritten\nmore lines"}
		sum.Outcome = "NOT linearizable (1 of 8 keys)"
	}
	return sum
}

// runFake executes a whole campaign with the fake runner into a temporary
// folder and writes its files there.
func runFake(t *testing.T, m *Manifest, f *fakeRunner, budget time.Duration) string {
	t.Helper()
	out := t.TempDir()
	err := Execute(context.Background(), m, Options{
		Out: out, Runner: f, Budget: budget, Now: f.clock.Now,
		Checkpoint: func(m *Manifest) error { return Write(out, m) },
	})
	require.NoError(t, err)
	return out
}
