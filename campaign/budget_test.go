package campaign

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/scenarios"
)

func statuses(m *Manifest) []string {
	var s []string
	for _, r := range m.Results {
		s = append(s, r.Name()+":"+r.Status.Label(r.Reason))
	}
	return s
}

func TestBudgetStopsStartingRuns(t *testing.T) {
	// Runs of 10 s workload take 20 s each (10 s overhead). With a 65 s
	// budget: run 1 starts at 0 (guess 25 s overhead: 35 ≤ 65), run 2 at
	// 20 (measured: 20 ≤ 45), run 3 at 40 (20 ≤ 25), run 4 would start at
	// 60 with 5 s left: skipped, and so is run 5.
	clock := newFakeClock()
	f := &fakeRunner{clock: clock, overhead: 10 * time.Second}
	m := NewManifest(Matrix{Scenarios: []string{"kill-leader"}, Seeds: Seeds(1, 5), Duration: 10 * time.Second}, Shard{}, "test")
	runFake(t, m, f, 65*time.Second)
	assert.Equal(t, []string{
		"kill-leader-s1:pass", "kill-leader-s2:pass", "kill-leader-s3:pass",
		"kill-leader-s4:skipped (budget)", "kill-leader-s5:skipped (budget)",
	}, statuses(m))
	assert.Len(t, f.ran, 3)
	tl := m.Tally()
	assert.Equal(t, 3, tl.Pass)
	assert.Equal(t, 2, tl.Skipped)
	assert.Equal(t, Incomplete, tl.Verdict(), "skipped runs make a campaign incomplete, not passed")
	assert.InDelta(t, 65, m.Budget, 1e-9)
}

func TestBudgetFirstGuessKeepsAShortBudgetFromStartingAnything(t *testing.T) {
	clock := newFakeClock()
	f := &fakeRunner{clock: clock}
	m := NewManifest(Matrix{Scenarios: []string{"kill-leader"}, Seeds: Seeds(1, 1), Duration: 10 * time.Second}, Shard{}, "test")
	runFake(t, m, f, 30*time.Second) // 10 s + 25 s guessed overhead > 30 s
	assert.Empty(t, f.ran)
	assert.Equal(t, []string{"kill-leader-s1:skipped (budget)"}, statuses(m))
}

func TestNoBudgetRunsEverything(t *testing.T) {
	clock := newFakeClock()
	f := &fakeRunner{clock: clock, overhead: time.Hour}
	m := NewManifest(Matrix{Scenarios: []string{"kill-leader", "pause"}, Seeds: Seeds(1, 3)}, Shard{}, "test")
	runFake(t, m, f, 0)
	assert.Len(t, f.ran, 6)
	assert.Equal(t, AllPassed, m.Tally().Verdict())
}

func TestBudgetSkipsLongRunsButStartsShorterOnesThatFit(t *testing.T) {
	b := newBudget(100*time.Second, time.Unix(0, 0), 10*time.Second)
	at := time.Unix(60, 0)
	assert.False(t, b.allows(at, 31*time.Second))
	assert.True(t, b.allows(at, 30*time.Second))
	b.observe(10*time.Second, 50*time.Second) // measured overhead 40 s replaces the guess
	assert.False(t, b.allows(at, 1*time.Second))
	assert.Equal(t, 40*time.Second, b.remaining(at, []time.Duration{time.Second, time.Second}), "capped by what is left")
}

func TestInterruptedCampaignSkipsTheRest(t *testing.T) {
	clock := newFakeClock()
	f := &fakeRunner{clock: clock}
	m := NewManifest(Matrix{Scenarios: []string{"kill-leader", "pause"}, Seeds: Seeds(1, 1)}, Shard{}, "test")
	ctx, cancel := contextCancelled()
	defer cancel()
	require.NoError(t, Execute(ctx, m, Options{Out: t.TempDir(), Runner: f, Now: clock.Now}))
	assert.Equal(t, []string{"kill-leader-s1:skipped (interrupted)", "pause-s1:skipped (interrupted)"}, statuses(m))
}

func TestAMissedPlantedBugIsRunAgain(t *testing.T) {
	clock := newFakeClock()
	calls := map[string]int{}
	f := &fakeRunner{clock: clock, overhead: 5 * time.Second}
	// stale-reads seed 1 misses once, then is caught; seed 2 always misses.
	f.outcome = func(s scenarios.Scenario, seed uint64) (linearizability.Verdict, bool) {
		k := Job{Scenario: s.Name, Seed: seed}.Name()
		calls[k]++
		if s.Expect == scenarios.ExpectViolation && (seed == 2 || calls[k] == 1) {
			return linearizability.Linearizable, true
		}
		if s.Expect == scenarios.ExpectViolation {
			return linearizability.NotLinearizable, true
		}
		return linearizability.Linearizable, true
	}
	m := NewManifest(Matrix{Scenarios: []string{"kill-leader", "stale-reads"}, Seeds: Seeds(1, 2), Duration: 10 * time.Second}, Shard{}, "test")
	out := t.TempDir()
	require.NoError(t, Execute(t.Context(), m, Options{Out: out, Runner: f, Now: clock.Now, Attempts: 3}))
	assert.Equal(t, []string{"kill-leader-s1:pass", "stale-reads-s1:pass", "kill-leader-s2:pass", "stale-reads-s2:fail"}, statuses(m))
	assert.Equal(t, map[string]int{"kill-leader-s1": 1, "stale-reads-s1": 2, "kill-leader-s2": 1, "stale-reads-s2": 3}, calls,
		"a linearizable scenario is never run again; a missed planted bug up to 3 times")
	s1, s2 := m.Results[1], m.Results[3]
	assert.Equal(t, 2, s1.Attempts)
	assert.Equal(t, "runs/stale-reads-s1-attempt2/report.html", s1.Report)
	assert.InDelta(t, 30, s1.Elapsed, 1e-9, "the time of every attempt")
	assert.Equal(t, 3, s2.Attempts)
	// The dishonest path "a retry-only catch shown as a clean catch": the
	// miss is in the cell, the tally, the page, the summary and JUnit.
	assert.Equal(t, "violation found: planted bug caught (caught 1 of 2 attempts)", verdictWords(s1))
	assert.Equal(t, []string{"runs/stale-reads-s1"}, s1.Missed)
	assert.Equal(t, []string{"runs/stale-reads-s2", "runs/stale-reads-s2-attempt2"}, s2.Missed)
	assert.Equal(t, "linearizable: planted bug missed (caught 0 of 3 attempts)", verdictWords(s2))
	tl := m.Tally()
	assert.Equal(t, 2, tl.MustFail)
	assert.Equal(t, 5, tl.MustFailAttempts)
	assert.Equal(t, 1, tl.MustFailCaught)
	assert.Equal(t, 1, tl.RetryCatches)
	assert.Equal(t, "must-fail attempts: caught 1 of 5 (1 run caught only on a retry)", tl.MustFailLine())
	var page, junit, md bytes.Buffer
	require.NoError(t, WritePage(&page, m))
	require.NoError(t, WriteJUnit(&junit, m))
	require.NoError(t, WriteMarkdown(&md, m))
	assert.Contains(t, page.String(), "must-fail attempts caught · 1 only on a retry")
	assert.Contains(t, page.String(), `<a href="runs/stale-reads-s1/report.html">attempt 1: missed ›</a>`)
	assert.Contains(t, junit.String(), `name="stale-reads seed 1 (caught 1 of 2 attempts)"`)
	assert.Contains(t, junit.String(), "attempt 1 missed the violation: runs/stale-reads-s1")
	assert.Contains(t, md.String(), "Must-fail attempts: caught 1 of 5 (1 run caught only on a retry).")
	// RAFTLAB_RETRY_PAGE=/some/dir keeps this page to look at.
	if dir := os.Getenv("RAFTLAB_RETRY_PAGE"); dir != "" {
		for i, r := range sampleRecovery() {
			m.Results[i].Recovery = r.Recovery
		}
		m.Results[0].Problems = []string{"heal: start n2: context deadline exceeded", "1 of 2 fault windows did not take effect: kill n2: n2 still answered /status 3s after the injection"}
		require.NoError(t, Write(dir, m))
	}
}
