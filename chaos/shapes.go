package chaos

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The partition shapes of Jepsen's fault menu beyond isolate-one and
// random halves, as pure functions of the node ids and a seeded random
// source. Each draws a fixed number of random values for a given cluster
// size, so a seed consumes the stream the same way whatever else happens.

// RingCuts places the nodes on a ring in random order and lets each
// node hear only the nodes within ring distance d, the smallest distance
// whose neighbourhood (2d+1 nodes, itself included) is a majority. Every
// node then sees a majority, and no two nodes see the same one (Jepsen's
// majorities-ring): each majority can elect a leader that another majority
// cannot hear, which is how raft's terms are exercised hardest.
//
// On three nodes (and fewer) every node's neighbourhood is the whole
// cluster, so nothing would be cut: RingCuts returns an error for
// clusters of fewer than four nodes rather than a no-op fault. On four
// nodes each node loses only the node opposite it; on five, the two nodes
// that are not its ring neighbours.
//
// It returns the ring order and the cuts (symmetric: a hears b iff b
// hears a). It draws one permutation.
func RingCuts(ids []string, rng *rand.Rand) ([]string, Cuts, error) {
	perm := rng.Perm(len(ids))
	n := len(ids)
	if n < 4 {
		return nil, nil, fmt.Errorf("chaos: majorities ring needs at least 4 nodes, have %d: on fewer, every node's majority is the whole cluster", n)
	}
	ring := make([]string, n)
	for i, p := range perm {
		ring[i] = ids[p]
	}
	d := (n / 2) / 2 // majority n/2+1 = 2d+1 or 2d+2 → ceil((majority-1)/2)
	if (n/2)%2 == 1 {
		d++
	}
	cuts := Cuts{}
	for i, b := range ring {
		for j, a := range ring {
			if ringDistance(i, j, n) > d {
				cuts[b] = append(cuts[b], a)
			}
		}
		cuts[b] = sortedCopy(cuts[b])
	}
	return ring, cuts, nil
}

func ringDistance(i, j, n int) int {
	d := i - j
	if d < 0 {
		d = -d
	}
	return min(d, n-d)
}

// BridgeCuts splits the nodes into two sides that cannot hear each other and
// one bridge node that hears both (Jepsen's bridge): the bridge node and
// either side form a majority (on an odd cluster), so the bridge can be
// elected by both and a leader on one side keeps committing through it
// while the other side's votes reach it too. Sides are the random halves of
// the other nodes, the smaller first; it needs at least three nodes. It
// draws one permutation.
func BridgeCuts(ids []string, rng *rand.Rand) (left []string, bridge string, right []string, cuts Cuts, err error) {
	perm := rng.Perm(len(ids))
	if len(ids) < 3 {
		return nil, "", nil, nil, fmt.Errorf("chaos: a bridge needs at least 3 nodes, have %d", len(ids))
	}
	shuffled := make([]string, len(ids))
	for i, p := range perm {
		shuffled[i] = ids[p]
	}
	bridge = shuffled[0]
	rest := shuffled[1:]
	cut := len(rest) / 2
	left, right = sortedCopy(rest[:cut]), sortedCopy(rest[cut:])
	return left, bridge, right, GroupCuts([][]string{left, right}), nil
}

// RandomMinority isolates a random minority (of random size, 1 to
// (n-1)/2 nodes) from the majority, both ways: unlike RandomHalves, whose
// smaller side is always n/2 nodes, the minority may be a single node or
// as large as a minority can be, and on an even cluster a majority always
// remains. It returns the groups, the minority first; on fewer than three
// nodes there is no minority to cut and it returns an error. It draws one
// size, then one permutation.
func RandomMinority(ids []string, rng *rand.Rand) ([][]string, error) {
	n := len(ids)
	k := 1 + rng.IntN(max(1, (n-1)/2))
	perm := rng.Perm(n)
	if n < 3 {
		return nil, fmt.Errorf("chaos: a minority/majority split needs at least 3 nodes, have %d", n)
	}
	shuffled := make([]string, n)
	for i, p := range perm {
		shuffled[i] = ids[p]
	}
	return [][]string{sortedCopy(shuffled[:k]), sortedCopy(shuffled[k:])}, nil
}

// Direction says which way a one-way cut goes, seen from its target.
type Direction int

const (
	// Inbound: the target receives nothing from its peers; what it sends
	// still arrives. A leader so cut keeps sending heartbeats, so
	// followers never time out, yet it hears no acknowledgement and can
	// commit nothing.
	Inbound Direction = iota
	// Outbound: nothing the target sends arrives; it still receives. A
	// leader so cut is deposed by an election it hears about but cannot
	// answer.
	Outbound
)

func (d Direction) String() string {
	switch d {
	case Inbound:
		return "in"
	case Outbound:
		return "out"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// OneWayCuts cuts every link between target and the other nodes in one
// direction only: Inbound cuts peers → target, Outbound target → peers
// (installed at the peers, like every cut).
func OneWayCuts(ids []string, target string, dir Direction) (Cuts, error) {
	var others []string
	for _, id := range ids {
		if id != target {
			others = append(others, id)
		}
	}
	if len(others) == len(ids) {
		return nil, fmt.Errorf("chaos: one-way cut: %q is not a node of %v", target, ids)
	}
	cuts := Cuts{}
	switch dir {
	case Inbound:
		if len(others) > 0 {
			cuts[target] = others
		}
	case Outbound:
		for _, o := range others {
			cuts[o] = []string{target}
		}
	default:
		return nil, fmt.Errorf("chaos: unknown direction %v", dir)
	}
	return cuts, nil
}

// FormatOneWay renders a one-way cut as the history does: "n1 n3 -x-> n2"
// (n2 receives nothing from n1 and n3) or "n2 -x-> n1 n3".
func FormatOneWay(ids []string, target string, dir Direction) string {
	var others []string
	for _, id := range ids {
		if id != target {
			others = append(others, id)
		}
	}
	if dir == Inbound {
		return strings.Join(others, " ") + " -x-> " + target
	}
	return target + " -x-> " + strings.Join(others, " ")
}
