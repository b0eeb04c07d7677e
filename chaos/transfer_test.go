package chaos

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Transfer moves leadership at once, keeps moving it until Heal, and says
// how many transfers happened; without a leader it fails and leaves nothing.
func TestTransferMovesLeadershipUntilHealed(t *testing.T) {
	for seed := range uint64(20) {
		f := newFake(3, "n1")
		ctx := context.Background()
		fault, err := Transfer{Every: time.Millisecond}.Inject(ctx, f, rand.New(rand.NewPCG(seed, 0)))
		require.NoError(t, err)
		assert.Equal(t, "transfer", string(fault.Kind))
		assert.Contains(t, fault.Value, "n1 -> ")
		assert.Equal(t, "n1", fault.Targets[0])
		assert.NotEqual(t, "n1", fault.Targets[1], "the first transfer goes to another node")
		require.Eventually(t, func() bool {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.transfers >= 5
		}, 5*time.Second, time.Millisecond, "transfers keep coming")
		require.NoError(t, fault.Heal(ctx))
		f.mu.Lock()
		n := f.transfers
		f.mu.Unlock()
		assert.Regexp(t, `^\d+ leadership transfers$`, fault.Detail)
		assert.Empty(t, f.Faults(), "a transfer leaves nothing to undo")
		// Stopped means stopped: no transfer after Heal returned.
		f.mu.Lock()
		assert.Equal(t, n, f.transfers)
		f.mu.Unlock()
	}

	f := newFake(3, "")
	_, err := Transfer{}.Inject(context.Background(), f, rand.New(rand.NewPCG(1, 0)))
	assert.ErrorIs(t, err, ErrNoLeader)
}
