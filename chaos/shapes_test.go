package chaos

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func nodes(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("n%d", i+1)
	}
	return ids
}

// heard returns the nodes b hears under cuts, itself included, in order.
func heard(ids []string, cuts Cuts, b string) []string {
	var out []string
	for _, a := range ids {
		if cuts.Up(a, b) {
			out = append(out, a)
		}
	}
	return out
}

func TestRingCuts(t *testing.T) {
	for n := 4; n <= 7; n++ {
		ids := nodes(n)
		for seed := range uint64(40) {
			ring, cuts, err := RingCuts(ids, rngFor(seed))
			require.NoError(t, err)
			assert.ElementsMatch(t, ids, ring, "the ring is a permutation")
			seen := map[string]string{}
			for _, b := range ids {
				h := heard(ids, cuts, b)
				assert.Greater(t, len(h), n/2, "n=%d seed %d: %s hears %v, no majority", n, seed, b, h)
				assert.Less(t, len(h), n, "n=%d seed %d: %s hears everyone", n, seed, b)
				key := strings.Join(h, " ")
				if o, dup := seen[key]; dup {
					t.Errorf("n=%d seed %d: %s and %s hear the same majority %v", n, seed, o, b, h)
				}
				seen[key] = b
				for _, a := range ids {
					assert.Equal(t, cuts.Up(a, b), cuts.Up(b, a), "ring cuts are symmetric")
				}
			}
			// Each node hears exactly its ring neighbours within the
			// distance: on five nodes, the two next to it.
			if n == 5 {
				for i, b := range ring {
					want := sortedCopy([]string{ring[(i+4)%5], b, ring[(i+1)%5]})
					assert.Equal(t, want, heard(ids, cuts, b))
				}
			}
			_, again, _ := RingCuts(ids, rngFor(seed))
			assert.Equal(t, cuts, again, "same seed, same ring")
		}
	}
	for n := range 4 {
		_, _, err := RingCuts(nodes(n), rngFor(1))
		assert.ErrorContains(t, err, "at least 4 nodes", "n=%d", n)
	}
}

func TestBridgeCuts(t *testing.T) {
	for n := 3; n <= 7; n++ {
		ids := nodes(n)
		bridges := map[string]bool{}
		for seed := range uint64(40) {
			left, bridge, right, cuts, err := BridgeCuts(ids, rngFor(seed))
			require.NoError(t, err)
			bridges[bridge] = true
			all := append(append(slices.Clone(left), bridge), right...)
			assert.ElementsMatch(t, ids, all, "sides and bridge cover every node once")
			assert.Equal(t, (n-1)/2, len(left))
			assert.Equal(t, n-1-(n-1)/2, len(right))
			assert.Equal(t, ids, heard(ids, cuts, bridge), "the bridge hears everyone")
			for _, a := range ids {
				assert.True(t, cuts.Up(bridge, a), "%s does not hear the bridge %s", a, bridge)
			}
			for _, l := range left {
				for _, r := range right {
					assert.False(t, cuts.Up(l, r), "%s reaches %s across the bridge cut", l, r)
					assert.False(t, cuts.Up(r, l), "%s reaches %s across the bridge cut", r, l)
				}
				for _, l2 := range left {
					assert.True(t, cuts.Up(l, l2), "side cut inside")
				}
			}
			for _, r := range right {
				for _, r2 := range right {
					assert.True(t, cuts.Up(r, r2), "side cut inside")
				}
			}
			if n%2 == 1 {
				// Odd cluster: each side plus the bridge is a majority.
				assert.Greater(t, len(left)+1, n/2)
				assert.Greater(t, len(right)+1, n/2)
			}
		}
		assert.Len(t, bridges, n, "over 40 seeds every node is the bridge once")
	}
	_, _, _, _, err := BridgeCuts(nodes(2), rngFor(1))
	assert.ErrorContains(t, err, "at least 3 nodes")
}

func TestRandomMinority(t *testing.T) {
	for n := 3; n <= 7; n++ {
		ids := nodes(n)
		sizes := map[int]bool{}
		for seed := range uint64(60) {
			g, err := RandomMinority(ids, rngFor(seed))
			require.NoError(t, err)
			require.Len(t, g, 2)
			assert.ElementsMatch(t, ids, append(slices.Clone(g[0]), g[1]...))
			assert.GreaterOrEqual(t, len(g[0]), 1)
			assert.Less(t, len(g[0]), len(g[1]), "the first group is the minority")
			assert.Greater(t, len(g[1]), n/2, "the rest is a majority")
			sizes[len(g[0])] = true
		}
		assert.Len(t, sizes, (n-1)/2, "n=%d: every minority size comes up", n)
	}
	_, err := RandomMinority(nodes(2), rngFor(1))
	assert.Error(t, err)
}

func TestOneWayCuts(t *testing.T) {
	ids := nodes(5)
	for _, dir := range []Direction{Inbound, Outbound} {
		cuts, err := OneWayCuts(ids, "n3", dir)
		require.NoError(t, err)
		for _, a := range ids {
			for _, b := range ids {
				want := true
				switch {
				case a == b:
				case dir == Inbound && b == "n3":
					want = false // n3 receives nothing
				case dir == Outbound && a == "n3":
					want = false // nothing n3 sends arrives
				}
				assert.Equal(t, want, cuts.Up(a, b), "%v: link %s → %s", dir, a, b)
			}
		}
	}
	assert.Equal(t, "n1 n2 n4 n5 -x-> n3", FormatOneWay(ids, "n3", Inbound))
	assert.Equal(t, "n3 -x-> n1 n2 n4 n5", FormatOneWay(ids, "n3", Outbound))
	_, err := OneWayCuts(ids, "n9", Inbound)
	assert.Error(t, err)
	_, err = OneWayCuts(ids, "n1", Direction(7))
	assert.Error(t, err)
}

func TestGroupCuts(t *testing.T) {
	ids := nodes(5)
	groups := [][]string{{"n1", "n4"}, {"n2", "n3", "n5"}}
	cuts := GroupCuts(groups)
	group := map[string]int{"n1": 0, "n4": 0, "n2": 1, "n3": 1, "n5": 1}
	for _, a := range ids {
		for _, b := range ids {
			assert.Equal(t, group[a] == group[b], cuts.Up(a, b), "%s → %s", a, b)
		}
	}
	assert.Equal(t, ids, cuts.Nodes())
}

// Every shape draws a fixed amount from the random source, whatever it
// returns: the next value after it is the same for every seed's stream
// position.
func TestShapesDrawFixedAmounts(t *testing.T) {
	ids := nodes(5)
	for seed := range uint64(10) {
		ref := rngFor(seed)
		ref.Perm(5)
		want := ref.Uint64()
		for name, f := range map[string]func(*rand.Rand){
			"ring":   func(r *rand.Rand) { _, _, _ = RingCuts(ids, r) },
			"bridge": func(r *rand.Rand) { _, _, _, _, _ = BridgeCuts(ids, r) },
			"halves": func(r *rand.Rand) { RandomHalves(ids, r) },
		} {
			r := rngFor(seed)
			f(r)
			assert.Equal(t, want, r.Uint64(), name)
		}
	}
}
