package fault

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every row is whole: a kind once, a family with its own colour, at least
// one closing event, and every closing event closes it.
func TestTableIsWhole(t *testing.T) {
	seen := map[Kind]bool{}
	for _, in := range Kinds() {
		assert.False(t, seen[in.Kind], "%s twice", in.Kind)
		seen[in.Kind] = true
		assert.NotEqual(t, Other, in.Family, in.Kind)
		_, ok := familyColours[in.Family]
		assert.True(t, ok, "%s: family %s has no colour", in.Kind, in.Family)
		require.NotEmpty(t, in.Heals, in.Kind)
		for _, h := range in.Heals {
			closes, ok := h.Closes()
			assert.True(t, ok, "%s: %s closes nothing", in.Kind, h)
			assert.Contains(t, closes, in.Kind, "%s is not closed by %s", in.Kind, h)
			_, isFault := Lookup(h)
			assert.False(t, isFault, "%s: closer %s is also a fault kind", in.Kind, h)
		}
	}
	for f := range familyColours {
		assert.NotEqual(t, FailedColour, f.Colour(), "family %s looks like a failed injection", f)
	}
}

// The closing events and what they close, as the history pictures paired
// them before the table existed (linearizability's faultEnds).
func TestCloses(t *testing.T) {
	for closer, want := range map[Kind][]Kind{
		Start:     {Kill, Stop, Crash, RestartRolling, Truncate, Bitflip, DiskLies, DirLost, DirOld, Wipe, Failpoint},
		MemberAdd: {Truncate, Bitflip, DirLost, DirOld, MemberRemove, Wipe},
		Shrink:    {Grow},
		Resume:    {Pause},
		Unpause:   {Pause},
		Unlimit:   {Limit},
		Heal:      {Partition, Drop, Delay, Limit, Isolate, Clog, Loss, Failpoint, Transfer, Compound},
	} {
		got, ok := closer.Closes()
		assert.True(t, ok, closer)
		assert.ElementsMatch(t, want, got, closer)
	}
	for _, any := range []Kind{Restore, Recover} {
		got, ok := any.Closes()
		assert.True(t, ok, any)
		assert.Nil(t, got, "%s closes any window", any)
	}
	_, ok := Kill.Closes()
	assert.False(t, ok)
}

// The one colour per family; a kind outside the table is Other.
func TestColours(t *testing.T) {
	assert.Equal(t, Membership, Wipe.Family(), "a wipe replaces a member")
	assert.Equal(t, Membership.Colour(), Wipe.Colour())
	assert.Equal(t, Network.Colour(), Partition.Colour())
	assert.Equal(t, Other, Kind("no-such-kind").Family())
	assert.Equal(t, familyColours[Other], Kind("no-such-kind").Colour())
	assert.Equal(t, familyColours[Other], Family("nonsense").Colour())
}
