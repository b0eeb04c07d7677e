package chaos

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
)

func rngFor(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

func TestPickNode(t *testing.T) {
	ids := []string{"n1", "n2", "n3"}
	tests := []struct {
		name    string
		leader  string
		target  Target
		allowed []string
		err     error
	}{
		{"any node", "n2", AnyNode, ids, nil},
		{"any node without leader", "", AnyNode, ids, nil},
		{"leader", "n2", Leader, []string{"n2"}, nil},
		{"no leader", "", Leader, nil, ErrNoLeader},
		{"follower", "n2", Follower, []string{"n1", "n3"}, nil},
		{"follower without leader", "", Follower, ids, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			for seed := range uint64(64) {
				got, err := PickNode(ids, tt.leader, tt.target, rngFor(seed))
				if tt.err != nil {
					if !errors.Is(err, tt.err) {
						t.Fatalf("seed %d: err %v, want %v", seed, err, tt.err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				seen[got] = true
			}
			if tt.err != nil {
				return
			}
			// Over 64 seeds every allowed node comes up, and nothing else.
			var got []string
			for _, id := range ids {
				if seen[id] {
					got = append(got, id)
				}
			}
			if !reflect.DeepEqual(got, tt.allowed) {
				t.Errorf("picked %v, want exactly %v", got, tt.allowed)
			}
		})
	}
}

func TestPickNodeIsDeterministicAndDrawsOnce(t *testing.T) {
	ids := []string{"n1", "n2", "n3", "n4", "n5"}
	for _, target := range []Target{AnyNode, Leader, Follower} {
		for _, leader := range []string{"", "n4"} {
			a, b := rngFor(7), rngFor(7)
			x, errX := PickNode(ids, leader, target, a)
			y, errY := PickNode(ids, leader, target, b)
			if x != y || (errX == nil) != (errY == nil) {
				t.Errorf("%v/%q: same seed gave %q and %q", target, leader, x, y)
			}
			// Exactly one draw, whatever the target and the leader: the
			// next value is the second of the stream.
			ref := rngFor(7)
			ref.Uint64()
			if a.Uint64() != ref.Uint64() {
				t.Errorf("%v/%q: PickNode did not draw exactly one value", target, leader)
			}
		}
	}
}

func TestRandomHalves(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 7} {
		var ids []string
		for i := range n {
			ids = append(ids, "n"+string(rune('1'+i)))
		}
		shapes := map[string]bool{}
		for seed := range uint64(50) {
			g := RandomHalves(ids, rngFor(seed))
			if len(g) != 2 || len(g[0]) != n/2 || len(g[1]) != n-n/2 {
				t.Fatalf("%d nodes: groups %v, want sizes %d and %d", n, g, n/2, n-n/2)
			}
			all := map[string]bool{}
			for _, grp := range g {
				for _, id := range grp {
					if all[id] {
						t.Fatalf("%v: %s twice", g, id)
					}
					all[id] = true
				}
				if !reflect.DeepEqual(grp, sortedCopy(grp)) {
					t.Errorf("group %v not in node order", grp)
				}
			}
			if len(all) != n {
				t.Fatalf("%v: not every node placed", g)
			}
			shapes[FormatGroups(g)] = true
			if !reflect.DeepEqual(g, RandomHalves(ids, rngFor(seed))) {
				t.Fatalf("seed %d: not deterministic", seed)
			}
		}
		if n == 3 && len(shapes) != 3 {
			t.Errorf("3 nodes, 50 seeds: %d distinct splits, want all 3", len(shapes))
		}
	}
}

func TestIsolateOneAndFormat(t *testing.T) {
	g := IsolateOne([]string{"n1", "n2", "n3"}, "n2")
	if got := FormatGroups(g); got != "n2 | n1 n3" {
		t.Errorf("FormatGroups = %q", got)
	}
	if got := sortedCopy([]string{"n10", "n2", "n1"}); !reflect.DeepEqual(got, []string{"n1", "n2", "n10"}) {
		t.Errorf("sortedCopy = %v", got)
	}
}

func TestNames(t *testing.T) {
	for nem, want := range map[Nemesis]string{
		Kill{Target: Leader}:                      "kill-leader",
		Pause{Target: Follower}:                   "pause-follower",
		Restart{Target: AnyNode}:                  "restart-node",
		Partition{Shape: Isolate, Target: Leader}: "partition-leader",
		Partition{Shape: Halves}:                  "partition-halves",
		Drop{Target: Follower, Percent: 30}:       "drop30-follower",
		Stall{Target: Leader}:                     "stall-leader",
	} {
		if nem.Name() != want {
			t.Errorf("%#v.Name() = %q, want %q", nem, nem.Name(), want)
		}
	}
}
