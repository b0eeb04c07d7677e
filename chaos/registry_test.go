package chaos

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseNemesisRoundTrips(t *testing.T) {
	seen := map[string]bool{}
	extra := []Nemesis{Drop{Target: Leader, Percent: 5}, Limit{Target: Follower, BytesPerSec: 1500}, Limit{Target: AnyNode, BytesPerSec: 100_000}}
	for _, nem := range append(Catalog(), extra...) {
		name := nem.Name()
		assert.False(t, seen[name], "two nemeses named %s", name)
		seen[name] = true
		got, err := ParseNemesis(name)
		require.NoError(t, err, name)
		assert.Equal(t, nem, got, name)
	}
	assert.Len(t, Names(), len(Catalog()))
	assert.Contains(t, Names(), "partition-ring")
	assert.Contains(t, Names(), "oneway-in-leader")
	assert.Contains(t, Names(), "bitflip-snapshot-follower")
	assert.Contains(t, Names(), "disk-lies")
}

func TestParseNemesisRejects(t *testing.T) {
	for _, name := range []string{
		"", "kill", "kill-boss", "explode-leader", "drop-leader", "drop0-node", "drop101-node", "drop030-node",
		"limit-leader", "limit999-node", "limitk-node", "limit05k-node", "partition-square", "oneway-sideways-leader",
		"member-remove", "member-remove-boss", "bitflip-wal-node", "crash-some", "disk-lies-leader",
	} {
		_, err := ParseNemesis(name)
		assert.Error(t, err, "%q", name)
	}
}
