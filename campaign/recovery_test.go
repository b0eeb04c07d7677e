package campaign

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/report"
)

func f(v float64) *float64 { return &v }

func sampleRecovery() []Result {
	return []Result{
		{Recovery: []report.RecoveryStats{{Kind: "kill", Windows: 2, FirstAckMedian: f(1.0), FirstAckMax: f(1.5), FullStrengthMedian: f(2), FullStrengthMax: f(3), Elections: 2, Measured: 2}}},
		{Recovery: []report.RecoveryStats{{Kind: "kill", Windows: 1, FirstAckMedian: f(3.0), FirstAckMax: f(3.0), NotFull: 1, Elections: 1, Measured: 1},
			{Kind: "partition", Windows: 2, NoAck: 2, FullStrengthMedian: f(4), FullStrengthMax: f(5), Measured: 2}}},
	}
}

func TestRecoveryAddsUpTheRunsPerFaultKind(t *testing.T) {
	got := Recovery(sampleRecovery())
	require.Len(t, got, 2)
	k := got[0]
	assert.Equal(t, "kill", k.Kind)
	assert.Equal(t, 2, k.Runs)
	assert.Equal(t, 3, k.Windows)
	assert.Equal(t, 2.0, *k.FirstAckMedian)
	assert.Equal(t, 3.0, *k.FirstAckWorst)
	assert.Equal(t, 2.0, *k.FullStrengthMedian)
	assert.Equal(t, 1, k.NotFull)
	assert.Equal(t, 1.0, k.ElectionsPerWindow)
	p := got[1]
	assert.Nil(t, p.FirstAckMedian)
	assert.Equal(t, 2, p.NoAck)

	m := NewManifest(Matrix{Scenarios: []string{"kill-leader"}, Seeds: []uint64{1, 2}}, Shard{}, "test")
	rs := sampleRecovery()
	for i := range m.Results {
		m.Results[i].Status, m.Results[i].Recovery = Pass, rs[i].Recovery
	}
	var page bytes.Buffer
	require.NoError(t, WritePage(&page, m))
	assert.Contains(t, page.String(), "Recovery per fault kind")
	assert.Contains(t, page.String(), "<td>2.0 s / 3.0 s</td>")
}
