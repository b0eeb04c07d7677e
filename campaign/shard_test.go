package campaign

import (
	"testing"

	"github.com/raftlab/raftlab/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShardsPartitionTheMatrix(t *testing.T) {
	for _, tc := range []struct{ scenarios, seeds, shards int }{
		{2, 1, 2}, {6, 5, 4}, {6, 3, 7}, {1, 1, 3}, {3, 4, 1}, {5, 7, 5},
	} {
		m := Matrix{Scenarios: Names()[:tc.scenarios], Seeds: Seeds(100, tc.seeds)}
		jobs := m.Jobs()
		require.Len(t, jobs, tc.scenarios*tc.seeds)
		owner := map[int]int{}
		minSize, maxSize := len(jobs), 0
		for i := 1; i <= tc.shards; i++ {
			sh := Shard{Index: i, Total: tc.shards}
			got := sh.Select(jobs)
			assert.Equal(t, got, sh.Select(m.Jobs()), "shard %s is not deterministic", sh)
			for _, j := range got {
				prev, dup := owner[j.Index]
				assert.False(t, dup, "%+v: job %d in shards %d and %d", tc, j.Index, prev, i)
				owner[j.Index] = i
			}
			minSize, maxSize = min(minSize, len(got)), max(maxSize, len(got))
		}
		assert.Len(t, owner, len(jobs), "%+v: every job in some shard", tc)
		assert.LessOrEqual(t, maxSize-minSize, 1, "%+v: shards balanced", tc)
	}
}

// Names is every built-in scenario, for matrices in tests.
func Names() []string { return scenarios.Names() }

func TestJobsGoSeedBySeed(t *testing.T) {
	m := Matrix{Scenarios: []string{"kill-leader", "stale-reads"}, Seeds: Seeds(7, 2)}
	var names []string
	for i, j := range m.Jobs() {
		assert.Equal(t, i, j.Index)
		names = append(names, j.Name())
	}
	assert.Equal(t, []string{"kill-leader-s7", "stale-reads-s7", "kill-leader-s8", "stale-reads-s8"}, names)
}

func TestParseShard(t *testing.T) {
	sh, err := ParseShard("2/4")
	require.NoError(t, err)
	assert.Equal(t, Shard{Index: 2, Total: 4}, sh)
	assert.Equal(t, "2/4", sh.String())
	for _, bad := range []string{"", "2", "0/2", "3/2", "a/b", "1/0", "-1/2", "1/2/3"} {
		_, err := ParseShard(bad)
		assert.Error(t, err, "%q accepted", bad)
	}
}

func TestResolveExpandsSetsWithoutDuplicates(t *testing.T) {
	got, err := Resolve("stale-reads, must-fail ,kill-leader")
	require.NoError(t, err)
	assert.Equal(t, "stale-reads", got[0])
	assert.Equal(t, "kill-leader", got[len(got)-1])
	assert.Contains(t, got, "leader-reads-partition")
	all, err := Resolve("all")
	require.NoError(t, err)
	assert.Equal(t, Names(), all)
	_, err = Resolve("ci,nope")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"nope"`)
	assert.Contains(t, err.Error(), "nightly")
	_, err = Resolve(" , ")
	assert.Error(t, err)
}

func TestMatrixValidate(t *testing.T) {
	assert.NoError(t, Matrix{Scenarios: []string{"pause"}, Seeds: []uint64{1}}.Validate())
	assert.Error(t, Matrix{Seeds: []uint64{1}}.Validate())
	assert.Error(t, Matrix{Scenarios: []string{"pause"}}.Validate())
	assert.Error(t, Matrix{Scenarios: []string{"pause"}, Seeds: []uint64{1, 1}}.Validate())
	assert.Error(t, Matrix{Scenarios: []string{"nope"}, Seeds: []uint64{1}}.Validate())
}
