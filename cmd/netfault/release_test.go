package main

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestHoldWithoutJitterIsTheDelay(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := holdSpec{Delay: 100 * time.Millisecond}
	for range 100 {
		assert.Equal(t, 100*time.Millisecond, s.hold(rng))
	}
}

func TestHoldJitterStaysInRangeAndSpreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := holdSpec{Delay: 10 * time.Millisecond, Jitter: 20 * time.Millisecond}
	lo, hi := time.Hour, time.Duration(0)
	zero := 0
	for range 2000 {
		h := s.hold(rng)
		assert.GreaterOrEqual(t, h, time.Duration(0))
		assert.LessOrEqual(t, h, 30*time.Millisecond)
		lo, hi = min(lo, h), max(hi, h)
		if h == 0 {
			zero++
		}
	}
	assert.Less(t, hi-lo, 31*time.Millisecond)
	assert.Greater(t, hi-lo, 25*time.Millisecond, "uniform over 0..30 ms")
	// Delay-Jitter < 0: a quarter of the draws clamp to zero.
	assert.InDelta(t, 500, zero, 100)
}

func TestHoldReorderReleasesAShareAtOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := holdSpec{Delay: 50 * time.Millisecond, Reorder: 0.25}
	now := 0
	for range 4000 {
		if s.hold(rng) == 0 {
			now++
		}
	}
	assert.InDelta(t, 1000, now, 150)
}

func TestReleaseQueueOrder(t *testing.T) {
	var q releaseQueue
	t0 := time.Unix(1000, 0)
	q.push(1, t0.Add(30*time.Millisecond))
	q.push(2, t0.Add(10*time.Millisecond))
	q.push(3, t0.Add(10*time.Millisecond)) // same time as 2: arrival order
	q.push(4, t0.Add(20*time.Millisecond))

	ids, next := q.due(t0.Add(5*time.Millisecond), nil)
	assert.Empty(t, ids)
	assert.Equal(t, t0.Add(10*time.Millisecond), next)

	ids, next = q.due(t0.Add(20*time.Millisecond), nil)
	assert.Equal(t, []uint32{2, 3, 4}, ids)
	assert.Equal(t, t0.Add(30*time.Millisecond), next)

	q.push(5, t0.Add(25*time.Millisecond))
	assert.Equal(t, []uint32{5, 1}, q.all())
	ids, next = q.due(t0.Add(time.Hour), nil)
	assert.Empty(t, ids)
	assert.True(t, next.IsZero())
}
