package campaign

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
	"github.com/raftlab/raftlab/scenarios"
)

// TestViolationIsWhatTheRunChecks: stale reads that are not linearizable
// but keep their contract are no violation of a safe scenario (so no false
// alarm in the tally or the trend); they are the catch of a must-fail one;
// a broken contract always is one.
func TestViolationIsWhatTheRunChecks(t *testing.T) {
	notLin := linearizability.NotLinearizable
	cases := []struct {
		name string
		r    Result
		want bool
	}{
		{"safe stale scenario, contract held", Result{Expect: scenarios.ExpectLinearizable, Verdict: notLin, Contract: readcheck.OK}, false},
		{"must-fail stale scenario caught", Result{Expect: scenarios.ExpectViolation, Verdict: notLin, Contract: readcheck.OK}, true},
		{"contract broken", Result{Expect: scenarios.ExpectLinearizable, Verdict: notLin, Contract: readcheck.Violated}, true},
		{"contract broken, history linearizable", Result{Expect: scenarios.ExpectContractViolation, Verdict: linearizability.Linearizable, Contract: readcheck.Violated}, true},
		{"clean", Result{Expect: scenarios.ExpectLinearizable, Verdict: linearizability.Linearizable, Contract: readcheck.OK}, false},
		{"stored before contracts", Result{Expect: scenarios.ExpectLinearizable, Verdict: notLin}, true},
		{"contracts undecided", Result{Expect: scenarios.ExpectLinearizable, Verdict: notLin, Contract: readcheck.Unknown}, true},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.r.Violation(), c.name)
	}
	tally := Count([]Result{cases[0].r, cases[2].r})
	assert.Equal(t, 1, tally.Violations, "the stale reads the level allows are not counted")
}
