package chaos

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// PickNode chooses the target of a single-node fault among ids (in a fixed
// order) given the current leader ("" when none is known). It always draws
// exactly one value from rng, so the random stream is consumed the same way
// whatever the cluster's state.
//
//   - AnyNode: any of ids.
//   - Leader: the leader; an error wrapping ErrNoLeader when there is none.
//   - Follower: any node but the leader (any node when no leader is known).
//   - First: the first of ids (n1, which bootstrapped the cluster).
func PickNode(ids []string, leader string, t Target, rng *rand.Rand) (string, error) {
	r := rng.Uint64()
	if len(ids) == 0 {
		return "", fmt.Errorf("chaos: no nodes to choose from")
	}
	switch t {
	case AnyNode:
		return ids[r%uint64(len(ids))], nil
	case Leader:
		if leader == "" {
			return "", ErrNoLeader
		}
		return leader, nil
	case Follower:
		var cand []string
		for _, id := range ids {
			if id != leader {
				cand = append(cand, id)
			}
		}
		if len(cand) == 0 {
			return "", fmt.Errorf("chaos: no follower among %v", ids)
		}
		return cand[r%uint64(len(cand))], nil
	case First:
		return ids[0], nil
	}
	return "", fmt.Errorf("chaos: unknown target %v", t)
}

// RandomHalves splits ids at random into two groups, the smaller first
// (Jepsen's partition-random-halves: 1 | 2 for three nodes, 2 | 3 for five).
// It draws one permutation from rng.
func RandomHalves(ids []string, rng *rand.Rand) [][]string {
	perm := rng.Perm(len(ids))
	shuffled := make([]string, len(ids))
	for i, p := range perm {
		shuffled[i] = ids[p]
	}
	cut := len(ids) / 2
	return [][]string{sortedCopy(shuffled[:cut]), sortedCopy(shuffled[cut:])}
}

// IsolateOne cuts target off from every other node: {target} | the rest.
func IsolateOne(ids []string, target string) [][]string {
	var rest []string
	for _, id := range ids {
		if id != target {
			rest = append(rest, id)
		}
	}
	return [][]string{{target}, rest}
}

// FormatGroups renders a partition as the history does: "n1 | n2 n3".
func FormatGroups(groups [][]string) string {
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = strings.Join(g, " ")
	}
	return strings.Join(parts, " | ")
}

// sortedCopy returns the node ids in node order (n1 < n2 < ... < n10).
func sortedCopy(ids []string) []string {
	out := append([]string(nil), ids...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && nodeLess(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func nodeLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
