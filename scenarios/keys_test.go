package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
)

func TestKeysWithoutRotationStayInTheFirstGeneration(t *testing.T) {
	g := newGenerator(7, 0, keySpace{Slots: 3}, Mix{}, 0)
	allowed := map[string]bool{"k1": true, "k2": true, "k3": true}
	for range 1000 {
		assert.True(t, allowed[g.Next().Key])
	}
}

func TestKeysRotateAndEachKeyGetsABoundedShare(t *testing.T) {
	ks := keySpace{Slots: 4, OpsPerKey: 10, Clients: 2}
	require.Equal(t, 20, ks.span())
	perKey := map[string]int{}
	const opsPerClient = 2000
	for c := range ks.Clients {
		g := newGenerator(42, c, ks, Mix{}, 0)
		for i := range opsPerClient {
			op := g.Next()
			perKey[op.Key]++
			// The i-th operation uses generation i/span: keys numbered
			// from gen*Slots+1 to (gen+1)*Slots.
			gen := i / ks.span()
			assert.Contains(t, []string{ks.key(0, gen), ks.key(1, gen), ks.key(2, gen), ks.key(3, gen)}, op.Key, "op %d", i)
		}
	}
	total := 0
	for k, n := range perKey {
		assert.LessOrEqual(t, n, ks.OpsPerKey*ks.Slots, "key %s", k)
		total += n
	}
	// Every generation is used, and on average a key gets OpsPerKey operations.
	assert.Len(t, perKey, opsPerClient/ks.span()*ks.Slots)
	assert.Equal(t, ks.OpsPerKey, total/len(perKey))
}

func TestKeyRotationIsAFunctionOfTheSeed(t *testing.T) {
	ks := keySpace{Slots: 5, OpsPerKey: 3, Clients: 4}
	a, b := newGenerator(9, 2, ks, Mix{}, 0), newGenerator(9, 2, ks, Mix{}, 0)
	for range 500 {
		assert.Equal(t, a.Next(), b.Next())
	}
}

func TestUsedKeysAddsTouchedKeysInNumericOrder(t *testing.T) {
	events := []linearizability.Event{
		{Type: linearizability.TypeInvoke, F: linearizability.FGet, Key: "k10"},
		{Type: linearizability.TypeOk, F: linearizability.FGet, Key: "k10"},
		{Type: linearizability.TypeInvoke, F: linearizability.FSet, Key: "k3"},
		{Type: "nemesis", F: "kill"},
	}
	assert.Equal(t, []string{"k1", "k2", "k3", "k10"}, usedKeys(keyNames(2), events))
}
