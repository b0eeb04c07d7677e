package selftest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/campaign"
)

var testBugs = []bugs.Bug{
	{Name: "bug-a", Description: "a", Report: "r", Scenarios: []string{"kill-leader", "long-pause"}},
	{Name: "bug-b", Description: "b", Report: "r", Scenarios: []string{"long-pause", "no-such-scenario", "stale-reads"}},
}

func labels(m campaign.Matrix) []string {
	var got []string
	for _, j := range m.Jobs() {
		got = append(got, j.Label())
	}
	return got
}

func TestPlanCoversEveryBugScenarioAndSeedThenTheBaseline(t *testing.T) {
	m, missing := Plan(testBugs, 2, true, 0, 7*time.Second)
	assert.Equal(t, []string{"bug-b: no-such-scenario (no such scenario)", "bug-b: stale-reads (broken on purpose; not a measure)"}, missing)
	require.NoError(t, m.Validate())
	assert.Equal(t, 7*time.Second, m.SelfTest.Duration)
	// Seed by seed, as every campaign: cut short, it has covered each cell once.
	assert.Equal(t, []string{
		"bug-a × kill-leader seed 1", "bug-a × long-pause seed 1", "bug-b × long-pause seed 1",
		"unmodified store × kill-leader seed 1", "unmodified store × long-pause seed 1",
		"bug-a × kill-leader seed 2", "bug-a × long-pause seed 2", "bug-b × long-pause seed 2",
		"unmodified store × kill-leader seed 2", "unmodified store × long-pause seed 2",
	}, labels(m))
}

func TestPlanCanKeepTheFirstScenariosOfEachBug(t *testing.T) {
	m, _ := Plan(testBugs, 1, false, 1, 0)
	assert.Equal(t, []string{"bug-a × kill-leader seed 1", "bug-b × long-pause seed 1"}, labels(m))
}

func TestPlanOfNothingIsNoMatrix(t *testing.T) {
	m, missing := Plan([]bugs.Bug{{Name: "bug-c", Scenarios: []string{"stale-reads"}}}, 1, true, 0, 0)
	assert.Nil(t, m.SelfTest)
	assert.Len(t, missing, 1)
	assert.Error(t, m.Validate(), "nothing to run")
}

func TestTheCISubsetIsOfKnownBugsAndUsableScenarios(t *testing.T) {
	for _, c := range CISubset {
		b, ok := bugs.Lookup(c.Bug)
		require.True(t, ok, c.Bug)
		b.Scenarios = c.Scenarios
		m, missing := Plan([]bugs.Bug{b}, 1, false, 0, 0)
		assert.Empty(t, missing)
		assert.NoError(t, m.Validate())
	}
}
