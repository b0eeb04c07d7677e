package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompoundClaims(t *testing.T) {
	r := Run{Scenario: Scenario{Nodes: 3, Proves: []Claim{ClaimCompound, ClaimLeaderTransferred, ClaimOperatorError}}}
	got := EvaluateClaims(r)
	require.Len(t, got, 3)
	for _, c := range got {
		assert.False(t, c.OK, "%s holds on a run that did nothing", c.Claim)
	}

	comp := window("compound", "partition n1 | n2 n3 + dir-lost n1 raft", "member-add + heal", []string{"n1", "n2", "n3"}, "")
	comp.Fault.Parts = []Fault{
		{Kind: "partition", Value: "n1 | n2 n3", HealKind: "heal"},
		{Kind: "dir-lost", Value: "n1 raft", HealKind: "member-add"},
	}
	tr := window("transfer", "n1 -> n2 every 100ms", "heal", []string{"n1", "n2"}, "")
	tr.Fault.Detail = "29 leadership transfers, 1 refused or failed (last: x)"
	old := window("dir-old", "n2 raft", "start", []string{"n2"}, "")
	r.Faults = []FaultWindow{comp, tr, old, window("dir-old", "n3 kv", "start", []string{"n3"}, "failed")}
	got = EvaluateClaims(r)
	for _, c := range got {
		assert.True(t, c.OK, "%s: %s", c.Claim, c.Detail)
	}
	assert.Equal(t, "1 compound windows: compound partition n1 | n2 n3 + dir-lost n1 raft → member-add + heal", got[0].Detail)
	assert.Equal(t, "29 leadership transfers in 1 windows", got[1].Detail)
	assert.Equal(t, "2: dir-lost n1 raft: refused to start, replaced; dir-old n2 raft: started again", got[2].Detail)

	// A one-part "compound" and a transfer window that counted nothing do not count.
	one := window("compound", "kill n1", "start", []string{"n1"}, "")
	one.Fault.Parts = []Fault{{Kind: "kill", Value: "n1", HealKind: "start"}}
	none := window("transfer", "n1 -> n2 every 100ms", "heal", []string{"n1", "n2"}, "")
	r.Faults = []FaultWindow{one, none}
	got = EvaluateClaims(r)
	assert.False(t, got[0].OK)
	assert.False(t, got[1].OK)
}
