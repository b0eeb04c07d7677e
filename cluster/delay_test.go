package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The delay fault shows in the round-trip time, holds while the node is
// frozen (the daemon lives in the holder), and is gone after Heal: no rule,
// no daemon, no added latency.
func TestDelayShowsInRTTAndHealRemovesIt(t *testing.T) {
	c := shared(t)
	ctx := ctxFor(t, 2*time.Minute)
	a, b := c.Nodes()[1], c.Nodes()[2]
	const n, gap = 20, 5 * time.Millisecond
	const d = 100 * time.Millisecond

	base, err := a.RTT(ctx, b, n, gap)
	require.NoError(t, err)
	require.Equal(t, n, base.Received)
	require.Less(t, base.RTTMedian, 50*time.Millisecond, "the network is slow without any fault")

	require.NoError(t, a.Delay(ctx, DelaySpec{Delay: d, Peers: []*Node{b}, Direction: Outbound}))
	slow, err := a.RTT(ctx, b, n, gap)
	require.NoError(t, err)
	t.Logf("RTT %s→%s: median %v without, %v with a %v outbound delay (min %v, max %v)",
		a, b, base.RTTMedian, slow.RTTMedian, d, slow.RTTMin, slow.RTTMax)
	assert.Equal(t, n, slow.Received, "the delay lost packets")
	assert.GreaterOrEqual(t, slow.RTTMin, d, "a probe came back sooner than the delay")
	assert.Less(t, slow.RTTMedian, d+150*time.Millisecond, "far more delay than asked")
	// The other peer is not named: its round trip stays short.
	other, err := a.RTT(ctx, c.Nodes()[0], n, gap)
	require.NoError(t, err)
	assert.Less(t, other.RTTMedian, d, "the delay hit a peer it does not name")

	fs, err := a.Faults(ctx)
	require.NoError(t, err)
	require.Len(t, fs.Delays, 1)
	assert.Equal(t, 1, fs.DelayRules)
	assert.True(t, fs.Delays[0].Running)
	assert.GreaterOrEqual(t, fs.Delays[0].Packets, uint32(n))
	t.Logf("daemon: %d packets, CPU %v", fs.Delays[0].Packets, fs.Delays[0].CPUTime)

	// Frozen node, same delay: the daemon is not in the node's container.
	require.NoError(t, a.Pause(ctx))
	frozen, err := b.RTT(ctx, a, n, gap) // b→a→b: a's reply is delayed
	require.NoError(t, a.Resume(ctx))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, frozen.RTTMin, d, "the delay stopped while the node was paused")

	require.NoError(t, c.HealNetwork(ctx))
	fs, err = a.Faults(ctx)
	require.NoError(t, err)
	assert.Equal(t, FaultState{}, fs, "heal left rules or a daemon behind")
	healed, err := a.RTT(ctx, b, n, gap)
	require.NoError(t, err)
	assert.Equal(t, n, healed.Received)
	assert.Less(t, healed.RTTMedian, 50*time.Millisecond, "the delay outlived heal")
}

// Jitter larger than the probes' spacing reorders them; duplicates come back
// twice. Both ways around the same node at once: faults add up.
func TestJitterReordersAndDuplicateDuplicates(t *testing.T) {
	c := shared(t)
	ctx := ctxFor(t, 2*time.Minute)
	a, b := c.Nodes()[0], c.Nodes()[1]
	require.NoError(t, a.Delay(ctx, DelaySpec{Delay: 40 * time.Millisecond, Jitter: 30 * time.Millisecond, Peers: []*Node{b}, Direction: Inbound}))
	require.NoError(t, a.Delay(ctx, DelaySpec{Duplicate: 100, Peers: []*Node{b}, Direction: Outbound}))
	r, err := b.RTT(ctx, a, 100, time.Millisecond)
	require.NoError(t, err)
	t.Logf("40ms±30ms inbound on %s, 100%% duplicates outbound: %+v", a, r)
	assert.Equal(t, 100, r.Received)
	assert.Positive(t, r.Reordered, "jitter of ±30 ms did not reorder probes 1 ms apart")
	assert.Positive(t, r.Duplicates, "no duplicate came back")
	assert.GreaterOrEqual(t, r.RTTMin, 10*time.Millisecond)
	require.NoError(t, c.HealAll(ctx))
	fs, err := a.Faults(ctx)
	require.NoError(t, err)
	assert.Equal(t, FaultState{}, fs, "HealAll left rules or a daemon behind")
}
