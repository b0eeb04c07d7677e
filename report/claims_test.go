package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/fault"
	"github.com/raftlab/raftlab/linearizability"
)

// window is a healed (or, with err, failed) fault window.
func window(kind fault.Kind, value string, heal fault.Kind, targets []string, err string) FaultWindow {
	w := FaultWindow{Nemesis: string(kind), Start: 1, Injected: 2, Healing: 3, End: 4, Error: err,
		Fault: &Fault{Kind: kind, Value: value, Targets: targets, HealKind: heal}}
	return w
}

func TestClaimsHoldOnARunThatDidTheWork(t *testing.T) {
	r := Run{Scenario: Scenario{Nodes: 3, Proves: []Claim{ClaimSnapshotsInstalled, ClaimMembershipChanged, ClaimNodeReplaced, ClaimAllRestarted}}}
	r.Nodes = []NodeFigures{{ID: "n1", SnapshotsTaken: 4, SnapshotsInstalled: 2}, {ID: "n2", SnapshotsTaken: 5}}
	r.Faults = []FaultWindow{
		window("wipe", "n2", "member-add", []string{"n2"}, ""),
		window("crash", "n1 n2 n3", "start", []string{"n1", "n2", "n3"}, ""),
	}
	got := EvaluateClaims(r)
	require.Len(t, got, 4)
	for _, c := range got {
		assert.True(t, c.OK, "%s: %s", c.Claim, c.Detail)
	}
	assert.Equal(t, "2 snapshots installed (n1 2); 9 taken", got[0].Detail)
	assert.Contains(t, got[1].Detail, "wipe n2 … member-add")
	assert.Contains(t, got[3].Detail, "crash n1 n2 n3 … start")
}

// TestClaimsFailOnARunThatDidNotDoTheWork: each claim is shown able to fail.
func TestClaimsFailOnARunThatDidNotDoTheWork(t *testing.T) {
	r := Run{Scenario: Scenario{Nodes: 3, Proves: []Claim{ClaimSnapshotsInstalled, ClaimMembershipChanged, ClaimNodeReplaced, ClaimAllRestarted, "made-up"}}}
	r.Nodes = []NodeFigures{{ID: "n1", SnapshotsTaken: 7}, {ID: "n2"}} // snapshots taken, none installed
	r.Faults = []FaultWindow{
		window("member-remove", "n2", "member-add", []string{"n2"}, "heal member-remove n2: boom"), // not healed
		window("kill", "n1 n3", "start", []string{"n1", "n3"}, ""),                                 // a majority, not all
		{Nemesis: "member-replace-node", Start: 1, End: 2, Error: "injection failed"},
	}
	got := EvaluateClaims(r)
	require.Len(t, got, 5)
	for _, c := range got {
		assert.False(t, c.OK, "%s: %s", c.Claim, c.Detail)
	}
	assert.Equal(t, "no node installed a snapshot from the leader (7 snapshots taken)", got[0].Detail)
	assert.Contains(t, got[4].Detail, "unknown claim")

	r.Nodes = nil
	assert.Equal(t, "no node figures were recorded", EvaluateClaims(r)[0].Detail)
	require.Error(t, CheckClaim("made-up"))
	require.NoError(t, CheckClaim(ClaimSnapshotsInstalled))
}

// TestAnUnprovenClaimMakesTheRunNotAsExpected: a linearizable, converged
// run of a scenario that claims snapshot installs, in which none happened,
// is not as expected; the page says which claim and why.
func TestAnUnprovenClaimMakesTheRunNotAsExpected(t *testing.T) {
	in, events, _ := fakeRun(t, false)
	in.Scenario.Expect = ExpectLinearizable
	in.Scenario.Proves = []Claim{ClaimSnapshotsInstalled}
	in.Nodes = []NodeFigures{{ID: "n1", State: "Leader", SnapshotsTaken: 3}, {ID: "n2", State: "Follower"}}
	s := Summarize(in)
	require.Equal(t, linearizability.Linearizable, s.Verdict)
	assert.True(t, s.Passed())
	assert.False(t, s.AsExpected)
	assert.Contains(t, s.Outcome, "claim not shown: snapshots-installed (no node installed a snapshot")
	assert.Contains(t, s.Outcome, "NOT as expected")
	require.Len(t, s.Claims, 1)
	assert.False(t, s.Claims[0].OK)

	var page bytes.Buffer
	require.NoError(t, WriteHTML(&page, in, s))
	assert.Contains(t, page.String(), `<div class="verdict bad"`)
	assert.Contains(t, page.String(), `✗ <b>snapshots-installed</b>`)

	// The same run with an install proves the claim and is as expected.
	in.Nodes[1].SnapshotsInstalled = 1
	s = Summarize(in)
	assert.True(t, s.AsExpected, s.Outcome)
	page.Reset()
	require.NoError(t, WriteHTML(&page, in, s))
	assert.Contains(t, page.String(), `✓ <b>snapshots-installed</b>: 1 snapshots installed (n2 1); 3 taken`)
	// The Nodes panel shows the counters.
	assert.True(t, strings.Contains(page.String(), "<th>installed from the leader</th><th>restored at start</th>"))
	assert.True(t, strings.Contains(page.String(), "<td>n2</td><td>0</td><td><b>1</b></td>") ||
		strings.Contains(page.String(), `<td class="l">n2</td><td>0</td><td><b>1</b></td>`), "n2's install in the snapshots table")

	// A rebuilt run judges the claim the same way (it is stored in run.json).
	dir := t.TempDir()
	require.NoError(t, WriteHistory(dir, events))
	require.NoError(t, WriteRun(dir, in.Run))
	again, err := Rebuild(t.Context(), dir, RebuildOptions{})
	require.NoError(t, err)
	assert.Equal(t, s.Claims, again.Claims)
	assert.True(t, again.AsExpected)
}
