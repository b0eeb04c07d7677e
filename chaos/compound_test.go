package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every named compound, on three and five nodes, for every seed in the
// table: each part hits a node that satisfies its aim (the leader, a
// follower, the same side as the leader, the other side, the node of an
// earlier part), no two aimed parts share a node unless one says Same, the
// history gets every part's events, and Heal undoes every part.
func TestCompoundRelationsHoldAndHealUndoesEveryPart(t *testing.T) {
	for _, n := range []int{3, 5} {
		for _, k := range Compounds() {
			k.Settle = 0 // a timing knob; the fake needs none
			for seed := range uint64(40) {
				leader := fmt.Sprintf("n%d", 1+seed%uint64(n))
				f := newFake(n, leader)
				ctx := context.Background()
				fault, err := k.Inject(ctx, f, rand.New(rand.NewPCG(seed, 0)))
				require.NoError(t, err, "%s n=%d seed %d", k.Name(), n, seed)
				require.Len(t, fault.Parts, len(k.Parts))
				assert.Equal(t, "compound", string(fault.Kind))
				var groups [][]string
				for i, p := range k.Parts {
					id := fault.aimed[i]
					require.NotEmpty(t, id, "part %d aimed", i+1)
					assert.Contains(t, fault.Parts[i].Targets, id, "part %d acts on its node", i+1)
					assert.Contains(t, fault.Value, fault.Parts[i].String(), "the window names every part")
					a := p.Aim
					if a.Same > 0 {
						assert.Equal(t, fault.aimed[a.Same-1], id, "%s part %d: same node as part %d", k.Name(), i+1, a.Same)
					} else {
						assert.NotContains(t, fault.aimed[:i], id, "%s part %d: a node of its own", k.Name(), i+1)
						onLeaderSide := groups == nil || slices.ContainsFunc(groups, func(g []string) bool {
							return slices.Contains(g, leader) && slices.Contains(g, id)
						})
						switch a.Side {
						case LeaderSide:
							assert.True(t, onLeaderSide, "%s seed %d part %d: %s on the leader's side of %v", k.Name(), seed, i+1, id, groups)
						case OtherSide:
							assert.False(t, onLeaderSide, "%s seed %d part %d: %s on the other side of %v", k.Name(), seed, i+1, id, groups)
						}
						switch a.Role {
						case TheLeader:
							assert.Equal(t, leader, id)
						case AFollower:
							assert.NotEqual(t, leader, id)
						}
					}
					if groups == nil && fault.Parts[i].Kind == "partition" {
						groups = ParseGroups(fault.Parts[i].Value)
					}
				}
				assert.Equal(t, fault.Parts, fault.events(), "each part's own events are recorded")
				assert.NotEmpty(t, f.Faults())
				require.NoError(t, fault.Heal(ctx))
				assert.Empty(t, f.Faults(), "%s n=%d seed %d: every part undone", k.Name(), n, seed)
				assert.NotEmpty(t, fault.HealKind)
			}
		}
	}
}

// A part that cannot be placed (its injection fails) heals the parts
// already in place, and the injection fails.
func TestCompoundFailedPartHealsTheOthers(t *testing.T) {
	f := newFake(3, "n1")
	f.fail["kill"] = assert.AnError
	k := Compound{Label: "x", Parts: []Part{
		{Nemesis: Partition{Shape: Isolate}, Aim: Aim{Role: TheLeader}},
		{Nemesis: Kill{}, Aim: Aim{Side: OtherSide}},
	}}
	_, err := k.Inject(context.Background(), f, rand.New(rand.NewPCG(1, 0)))
	require.ErrorIs(t, err, assert.AnError)
	assert.ErrorContains(t, err, "part 2 (kill-node, a node on the other side)")
	assert.Empty(t, f.Faults(), "the partition was undone")
}

// An aim that no node satisfies is an error, not a silent other choice.
func TestAimAtImpossible(t *testing.T) {
	ids := []string{"n1", "n2", "n3"}
	rng := rand.New(rand.NewPCG(1, 0))
	groups := [][]string{{"n1"}, {"n2", "n3"}}
	_, err := AimAt(ids, "n1", groups, nil, Aim{Side: LeaderSide, Role: AFollower}, rng)
	assert.ErrorContains(t, err, "no node is a follower on the leader's side")
	_, err = AimAt(ids, "", nil, nil, Aim{Role: TheLeader}, rng)
	assert.ErrorIs(t, err, ErrNoLeader)
	_, err = AimAt(ids, "n1", nil, []string{""}, Aim{Same: 1}, rng)
	assert.Error(t, err)
	id, err := AimAt(ids, "n1", groups, []string{"n1"}, Aim{Side: OtherSide}, rng)
	require.NoError(t, err)
	assert.Contains(t, []string{"n2", "n3"}, id)
}

// A schedule records every part's opening and closing events.
func TestScheduleRecordsEveryPart(t *testing.T) {
	f := newFake(3, "n1")
	rec := &fakeRecorder{start: time.Now()}
	k := Compounds()[0]
	s := Schedule{Nemeses: []Nemesis{k}, Duration: 300 * time.Millisecond, Quiet: time.Millisecond, Fault: 20 * time.Millisecond}
	ws, err := s.Run(context.Background(), f, rec, RunOptions{Seed: 1, Logger: quiet})
	require.NoError(t, err)
	require.NotEmpty(t, ws)
	require.Len(t, ws[0].Fault.Parts, 2)
	assert.Equal(t, []string{"partition n1 | n2 n3", "pause n1", "resume n1", "heal n1 | n2 n3"}, rec.events[:4])
}
