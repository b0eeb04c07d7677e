package main

import (
	"container/heap"
	"math/rand/v2"
	"time"
)

// holdSpec says how long the delay daemon keeps each packet.
type holdSpec struct {
	Delay  time.Duration // mean hold time
	Jitter time.Duration // hold is uniform in Delay±Jitter (clamped at 0)
	// Reorder is the probability (0..1) that a packet is released at once
	// instead of after its hold, overtaking the packets held before it
	// (netem's "reorder").
	Reorder float64
}

// hold draws one packet's hold time. It always draws the same number of
// values from rng, so a seed fixes the sequence whatever the spec.
func (s holdSpec) hold(rng *rand.Rand) time.Duration {
	r, j := rng.Float64(), rng.Int64N(2*int64(s.Jitter)+1)
	if r < s.Reorder {
		return 0
	}
	d := s.Delay
	if s.Jitter > 0 {
		d += time.Duration(j) - s.Jitter
	}
	return max(d, 0)
}

// pending is a packet waiting for its release time.
type pending struct {
	at  time.Time
	seq uint64 // arrival order, to release equal times first-in first-out
	id  uint32
}

// releaseQueue orders held packets by release time. Not safe for concurrent
// use.
type releaseQueue struct {
	h   pendingHeap
	seq uint64
}

func (q *releaseQueue) push(id uint32, at time.Time) {
	q.seq++
	heap.Push(&q.h, pending{at: at, seq: q.seq, id: id})
}

// due pops the ids whose release time is not after now, in release order,
// and returns the next release time (zero when nothing is left).
func (q *releaseQueue) due(now time.Time, ids []uint32) ([]uint32, time.Time) {
	for len(q.h) > 0 && !q.h[0].at.After(now) {
		ids = append(ids, heap.Pop(&q.h).(pending).id)
	}
	if len(q.h) == 0 {
		return ids, time.Time{}
	}
	return ids, q.h[0].at
}

// all pops every id, in release order.
func (q *releaseQueue) all() []uint32 {
	var ids []uint32
	for len(q.h) > 0 {
		ids = append(ids, heap.Pop(&q.h).(pending).id)
	}
	return ids
}

func (q *releaseQueue) len() int { return len(q.h) }

type pendingHeap []pending

func (h pendingHeap) Len() int { return len(h) }
func (h pendingHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h pendingHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pendingHeap) Push(x any)   { *h = append(*h, x.(pending)) }
func (h *pendingHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
