package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSelectSetsAndNames(t *testing.T) {
	all, err := Select("all")
	require.NoError(t, err)
	assert.Len(t, all, len(All()))

	ci, err := Select("ci")
	require.NoError(t, err)
	for _, s := range ci {
		assert.True(t, s.CI, s.Name)
	}

	mf, err := Select("must-fail")
	require.NoError(t, err)
	require.NotEmpty(t, mf)
	for _, s := range mf {
		assert.True(t, s.Expect.MustFail(), s.Name)
	}

	// Names and sets mix, in order, without duplicates.
	got, err := Select("stale-reads, must-fail,kill-leader,stale-reads")
	require.NoError(t, err)
	assert.Equal(t, "stale-reads", got[0].Name)
	assert.Equal(t, "kill-leader", got[len(got)-1].Name)
	seen := map[string]bool{}
	for _, s := range got {
		assert.False(t, seen[s.Name], "%s twice", s.Name)
		seen[s.Name] = true
	}

	for _, bad := range []string{"nope", "", " , "} {
		_, err := Select(bad)
		assert.Error(t, err, bad)
	}
}
