package trend

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/campaign"
	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/scenarios"
)

func night(name string, bugs map[string][2]int, falseAlarms map[string]int) Line {
	l := Line{Night: name, Bugs: map[string]BugFigures{}, Scenarios: map[string]ScenarioFigures{}}
	for b, kn := range bugs {
		l.Bugs[b] = BugFigures{Caught: kn[0], Runs: kn[1]}
	}
	for s, fa := range falseAlarms {
		l.Scenarios[s] = ScenarioFigures{Runs: 3, FalseAlarms: fa}
	}
	return l
}

func TestRegressions(t *testing.T) {
	prev := night("mon", map[string][2]int{"bug-a": {3, 3}, "bug-b": {2, 3}, "bug-c": {1, 3}}, map[string]int{"kill-leader": 0, "pause": 1})
	same := night("tue", map[string][2]int{"bug-a": {3, 3}, "bug-b": {1, 3}, "bug-c": {1, 3}}, map[string]int{"kill-leader": 0, "pause": 1})
	assert.Empty(t, Regressions(prev, same), "1 of 3 after 2 of 3 is within chance; an old false alarm is not new")

	worse := night("tue", map[string][2]int{"bug-a": {2, 3}, "bug-c": {1, 3}}, map[string]int{"kill-leader": 1, "pause": 1})
	assert.Equal(t, []string{
		"bug-a: caught 2 of 3 tonight (95% up to 94%), 3 of 3 last night",
		"bug-b: caught 2 of 3 last night, not run tonight",
		"kill-leader: 1 new false alarm(s) in 3 runs (none last night)",
	}, Regressions(prev, worse))
}

func TestWilson(t *testing.T) {
	lo, hi := Wilson(3, 3)
	assert.InDelta(t, 0.439, lo, 0.001)
	assert.Equal(t, 1.0, hi)
	lo, hi = Wilson(0, 0)
	assert.Equal(t, [2]float64{0, 1}, [2]float64{lo, hi})
}

func TestLinesFromACampaignAndASelftest(t *testing.T) {
	m := campaign.NewManifest(campaign.Matrix{Scenarios: []string{"kill-leader", "stale-reads"}, Seeds: []uint64{1, 2}}, campaign.Shard{}, "test")
	a := 0.8
	for i := range m.Results {
		r := &m.Results[i]
		r.Status, r.Verdict, r.Converged, r.FaultAvailability = campaign.Pass, linearizability.Linearizable, true, &a
		if r.Scenario == "stale-reads" {
			r.Expect, r.Verdict = scenarios.ExpectViolation, linearizability.NotLinearizable
		}
	}
	m.Results[2].Status, m.Results[2].Verdict = campaign.Fail, linearizability.NotLinearizable // kill-leader seed 2
	var l Line
	l.FromCampaign(m)
	assert.Equal(t, 2, l.Scenarios["kill-leader"].Runs)
	assert.Equal(t, 1, l.Scenarios["kill-leader"].FalseAlarms)
	assert.Equal(t, 0, l.Scenarios["stale-reads"].FalseAlarms, "a must-fail scenario's violation is no false alarm")
	assert.Equal(t, 0.8, *l.Scenarios["kill-leader"].Availability)

	// A manifest with a bug axis (the self-test, alone or merged into the
	// nightly page): per bug its catches over every run started, the
	// unmodified store's false alarms per scenario.
	axis := &campaign.BugAxis{Seeds: []uint64{1, 2, 3}, Bugs: []campaign.BugScenarios{
		{Bug: "bug-a", Scenarios: []string{"kill-leader", "pause"}},
		{Bug: campaign.Unmodified, Scenarios: []string{"kill-leader"}},
	}}
	m = campaign.NewManifest(campaign.Matrix{Scenarios: []string{"pause"}, Seeds: []uint64{7}, SelfTest: axis}, campaign.Shard{}, "test")
	detect := []float64{2.5, 1.5, 4}
	for i := range m.Results {
		r := &m.Results[i]
		switch {
		case r.Bug == "":
			r.Status, r.Verdict, r.Converged = campaign.Pass, linearizability.Linearizable, true
		case r.Bug == campaign.Unmodified && r.Seed == 1:
			r.Status = campaign.Fail // a false alarm
		case r.Bug == campaign.Unmodified:
			r.Status = campaign.Pass
		case r.Scenario == "kill-leader" && r.Seed < 3, r.Scenario == "pause" && r.Seed == 1:
			r.Status, r.FirstViolation = campaign.Pass, &detect[0] // caught
			detect = detect[1:]
		default:
			r.Status = campaign.Error // errored: a run that did not catch
		}
	}
	var l2 Line
	l2.FromCampaign(m)
	med, worst := 2.5, 4.0
	assert.Equal(t, BugFigures{Caught: 3, Runs: 6, MedianDetect: &med, WorstDetect: &worst}, l2.Bugs["bug-a"], "errored runs are runs that did not catch")
	assert.Equal(t, ScenarioFigures{Runs: 3, FalseAlarms: 1}, l2.Scenarios["selftest:kill-leader"])
	assert.Equal(t, 1, l2.Scenarios["pause"].Runs, "the bug axis's runs are not the campaign's")
}

// Two nights appended to a file, read back and drawn (the page is kept with
// RAFTLAB_TREND_PAGE=/some/file.html to look at).
func TestTwoNightsAppendReadAndDraw(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trend.jsonl")
	d1, d2 := 3.1, 4.0
	n1 := night("2026-12-02", map[string][2]int{"bug-read-no-quorum": {3, 3}, "bug-ack-before-commit": {2, 3}, "bug-follower-local-read": {3, 3}}, map[string]int{"kill-leader": 0, "pause": 0})
	n1.Bugs["bug-read-no-quorum"] = BugFigures{Caught: 3, Runs: 3, MedianDetect: &d1}
	n2 := night("2026-12-03", map[string][2]int{"bug-read-no-quorum": {2, 3}, "bug-ack-before-commit": {3, 3}, "bug-follower-local-read": {3, 3}}, map[string]int{"kill-leader": 1, "pause": 0})
	n2.Bugs["bug-read-no-quorum"] = BugFigures{Caught: 2, Runs: 3, MedianDetect: &d2}
	n1.Recovery = map[string]RecoveryFigures{"kill": {Windows: 6, FirstAckMedian: &d1, FullStrengthMedian: &d2, ElectionsPerWindow: 1}}
	n2.Recovery = map[string]RecoveryFigures{"kill": {Windows: 6, FirstAckMedian: &d2, FullStrengthMedian: &d2, ElectionsPerWindow: 1.5}}
	require.NoError(t, Append(path, n1))
	require.NoError(t, Append(path, n2))
	lines, err := Read(path)
	require.NoError(t, err)
	require.Len(t, lines, 2)
	assert.Equal(t, n2, lines[1])
	regs := Regressions(lines[0], lines[1])
	require.Len(t, regs, 2)
	var page bytes.Buffer
	require.NoError(t, WriteHTML(&page, lines, regs))
	assert.Contains(t, page.String(), "Tonight fails:")
	assert.Contains(t, page.String(), "<polyline")
	assert.Contains(t, page.String(), "2 of 3 (95%: 21–94%), median 4.0 s to detect")
	assert.NotContains(t, page.String(), "ZgotmplZ", "every colour passes html/template")
	assert.Contains(t, page.String(), "first ack write 4.00 s, full strength 4.00 s, 1.50 elections per window (6 windows)")
	if p := os.Getenv("RAFTLAB_TREND_PAGE"); p != "" {
		require.NoError(t, os.WriteFile(p, page.Bytes(), 0o644))
	}

	_, err = Read(filepath.Join(t.TempDir(), "none.jsonl"))
	require.NoError(t, err, "no file yet: no nights")
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte("{\"night\":\"x\"}\nnot json\n"), 0o644))
	_, err = Read(bad)
	require.ErrorContains(t, err, "bad.jsonl:2")
}
