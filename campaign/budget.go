package campaign

import "time"

// defaultOverhead is the first guess of what a run costs beyond its
// workload (cluster start, healing, final reads, cluster removal, the
// check), before any run has been measured. Measured on the lab's 2-core
// machines: 15-25 s for three nodes.
const defaultOverhead = 25 * time.Second

// budget decides whether a run may start: only when the time left is at
// least the run's expected length, its workload duration plus the mean
// overhead of the runs measured so far.
type budget struct {
	total    time.Duration // 0: unlimited
	start    time.Time
	overhead time.Duration // sum of measured overheads
	measured int
	guess    time.Duration
}

func newBudget(total time.Duration, start time.Time, guess time.Duration) *budget {
	if guess <= 0 {
		guess = defaultOverhead
	}
	return &budget{total: total, start: start, guess: guess}
}

// expected is the expected wall-clock length of a run of duration d.
func (b *budget) expected(d time.Duration) time.Duration {
	if b.measured == 0 {
		return d + b.guess
	}
	return d + b.overhead/time.Duration(b.measured)
}

// allows reports whether a run of duration d may start at now.
func (b *budget) allows(now time.Time, d time.Duration) bool {
	return b.total <= 0 || b.total-now.Sub(b.start) >= b.expected(d)
}

// observe records a run of duration d that took took.
func (b *budget) observe(d, took time.Duration) {
	b.overhead += max(took-d, 0)
	b.measured++
}

// remaining estimates how long the given durations still take, capped by
// the budget left.
func (b *budget) remaining(now time.Time, ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += b.expected(d)
	}
	if b.total > 0 {
		sum = min(sum, max(b.total-now.Sub(b.start), 0))
	}
	return sum
}
