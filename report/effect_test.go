package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
)

// A linearizable run whose fault injections all failed, or whose faults a
// probe saw not in place, tested a healthy cluster: not as expected, with
// the reason on the page; a run whose faults took hold is as expected.
func TestARunWhoseFaultsDidNotTakeEffectIsNotAsExpected(t *testing.T) {
	in, _, _ := fakeRun(t, false)
	in.Scenario.Expect = ExpectLinearizable
	require.True(t, Summarize(in).AsExpected, "the fake run is as expected to begin with")
	w := in.Faults[0]

	// Every injection failed.
	in.Faults = []FaultWindow{{Nemesis: w.Nemesis, Start: w.Start, End: w.End, Error: "no leader to target"}}
	s := Summarize(in)
	require.Equal(t, linearizability.Linearizable, s.Verdict)
	assert.False(t, s.AsExpected)
	require.NotNil(t, s.FaultEffect)
	assert.Equal(t, FaultEffect{Windows: 1, Failed: 1, Needed: 1,
		Detail: "0 of 1 fault windows took effect (0 seen by a probe), 1 needed; partition-follower: injection failed (no leader to target)"}, *s.FaultEffect)
	assert.Contains(t, s.Outcome, "too few faults took effect")
	assert.Contains(t, s.Outcome, "NOT as expected")

	// Injected, but the probe saw every link answering.
	fw := w
	fw.Effect = &Effect{Probed: true, Evidence: "no link of the targets was hurt: n2→n1 20/20"}
	in.Faults = []FaultWindow{fw, fw, fw}
	ok := w
	ok.Effect = &Effect{Took: true, Probed: true, Evidence: "link n2→n1: 0 of 20 probes answered"}
	in.Faults[0] = ok
	s = Summarize(in)
	assert.False(t, s.AsExpected, "1 of 3 effective, 2 needed")
	assert.Equal(t, 2, s.FaultEffect.Needed)
	var page bytes.Buffer
	require.NoError(t, WriteHTML(&page, in, s))
	assert.Contains(t, page.String(), "Too few faults took effect:")
	assert.Contains(t, page.String(), "NO: no link of the targets was hurt")

	// Two of three took hold: as expected.
	in.Faults[1] = ok
	s = Summarize(in)
	assert.True(t, s.AsExpected, s.Outcome)
	assert.Equal(t, 2, s.FaultEffect.Probed)

	// A scenario may need more.
	in.Scenario.NeedFaults = 3
	assert.False(t, Summarize(in).AsExpected)

	// A violation found stands whatever the faults did.
	in.Scenario.Expect = ExpectViolation
	in.Faults = []FaultWindow{fw}
	in.Check = &Check{Verdict: linearizability.NotLinearizable, Keys: map[string]linearizability.KeyResult{}}
	assert.True(t, Summarize(in).AsExpected)
}

func TestNoNemesesNoFaultEffect(t *testing.T) {
	assert.Nil(t, EvaluateFaultEffect(Run{}))
	assert.Nil(t, EvaluateFaultEffect(Run{Scenario: Scenario{Nemeses: []string{"kill-leader"}}, Interrupted: true}))
}
