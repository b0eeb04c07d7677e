package linearizability

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
)

// DefaultShrinkBudget is the default of [ShrinkOptions.Budget].
const DefaultShrinkBudget = 30 * time.Second

// ShrinkOptions tune [Shrink] and [Result.Shrink]. The zero value is ready to use.
type ShrinkOptions struct {
	// Budget is the wall-clock time the shrinking may take (default 30 s).
	// When it runs out, the smallest history found so far is returned with
	// StoppedEarly set. The final check and explanation of that history
	// come on top.
	Budget time.Duration
	// CheckTimeout bounds each porcupine search of a candidate; a candidate
	// whose search runs out is rejected (we cannot show it still fails).
	// Default: twice the time the key's own check took, at least 1 s and at
	// most a quarter of the budget. [Shrink] also uses it as the budget per
	// key of its first check.
	CheckTimeout time.Duration
	// Key, if set, is the key to shrink; by default the first key, by name,
	// that is not linearizable.
	Key string
}

// A Counterexample is a small sub-history of one key that is still not
// linearizable: a few operations cut out of a failing history, with the
// nemesis events around them (see the package doc, "Counterexamples").
type Counterexample struct {
	Key string `json:"key"`
	// Events is the sub-history: the kept operations' events and the
	// overlapping nemesis events, exactly as in the original history
	// (times and process numbers included), in its order. Written with
	// [Counterexample.WriteJSONL] it is a history file that 'chaoslab
	// check' rejects.
	Events []Event `json:"events"`
	// Operations are the kept operations, paired from Events (Line and
	// ReturnLine are lines of the sub-history); OriginalLines[i] is the line
	// of Operations[i]'s invocation in the original history.
	Operations    []Operation `json:"operations"`
	OriginalLines []int       `json:"original_lines"`
	// Explanation explains the sub-history (lines are the sub-history's).
	Explanation Explanation `json:"explanation"`
	// StoppedEarly is set when the budget or the context ended the shrinking
	// before no single operation could be dropped any more; StopReason says
	// which. The sub-history is then still a counterexample, just maybe not
	// a minimal one.
	StoppedEarly bool   `json:"stopped_early"`
	StopReason   string `json:"stop_reason,omitempty"`
	// Original is the number of operations on the key in the original
	// history, HistoryOperations the number in the whole history, Kept the
	// number in the sub-history, Nemesis its nemesis events.
	Original          int `json:"original"`
	HistoryOperations int `json:"history_operations"`
	Kept              int `json:"kept"`
	Nemesis           int `json:"nemesis_events"`
	// Checks is the number of porcupine searches made; Shrinking the time
	// the shrinking took (what the budget bounds), Elapsed the whole time,
	// final check and explanation included.
	Checks    int           `json:"checks"`
	Shrinking time.Duration `json:"shrinking_ns"`
	Elapsed   time.Duration `json:"elapsed_ns"`
}

// Shrink checks a history and, if some key is not linearizable, shrinks that
// key's history to a small sub-history that is still not linearizable. It
// returns nil (and no error) when no key is not linearizable. It returns a
// [*LineError] if the history is malformed.
func Shrink(ctx context.Context, events []Event, opts ShrinkOptions) (*Counterexample, error) {
	res, err := Check(ctx, events, Options{PerKeyTimeout: opts.CheckTimeout})
	if err != nil {
		return nil, err
	}
	return res.Shrink(ctx, opts)
}

// Shrink shrinks the history of one key that the check found not
// linearizable (opts.Key, or the first by name) to a small sub-history
// that is still not linearizable. It returns nil (and no error) when no key
// is not linearizable, and an error when opts.Key names a key that is not
// known to be violated. The result must not be used after the events given
// to [Check] were modified.
func (r *Result) Shrink(ctx context.Context, opts ShrinkOptions) (*Counterexample, error) {
	start := time.Now()
	key := opts.Key
	if key == "" {
		bad := r.KeysWith(NotLinearizable)
		if len(bad) == 0 {
			return nil, nil
		}
		key = bad[0]
	} else if kr, ok := r.Keys[key]; !ok {
		return nil, fmt.Errorf("shrink: no key %q in the history", key)
	} else if kr.Verdict != NotLinearizable {
		return nil, fmt.Errorf("shrink: key %q is %s, there is nothing to shrink", key, kr.Verdict)
	}
	if opts.Budget <= 0 {
		opts.Budget = DefaultShrinkBudget
	}
	if opts.CheckTimeout <= 0 {
		opts.CheckTimeout = min(max(time.Second, 2*r.Keys[key].Elapsed), opts.Budget/4)
	}

	g := newGuard(ctx, r.opts.MaxHeap)
	defer g.close()
	s := &shrinker{
		ctx: ctx, g: g, h: r.h, key: key, opts: opts,
		deadline:     start.Add(opts.Budget),
		class:        map[int]opClass{},
		finalTimeout: r.opts.PerKeyTimeout, maxHeap: r.opts.MaxHeap,
	}
	kept := s.inert(r.h.byKey[key])
	kept = s.run(kept)
	kept = s.withContext(kept)
	shrinking := time.Since(start)

	ce, err := s.counterexample(kept)
	if err != nil {
		return nil, err
	}
	ce.Original = len(r.h.byKey[key])
	ce.HistoryOperations = len(r.h.ops)
	ce.Shrinking, ce.Elapsed = shrinking, time.Since(start)
	return ce, nil
}

// shrinker holds the state of one shrinking.
type shrinker struct {
	ctx          context.Context
	g            *guard
	h            *history
	key          string
	opts         ShrinkOptions
	deadline     time.Time
	class        map[int]opClass
	finalTimeout time.Duration // budget of the final check, per key
	maxHeap      int64
	checks       int
	stopped      string // why the shrinking stopped early, "" if it did not
}

// run applies the passes in order of how much each removes per search:
// the shortest failing prefix, whole clients, chunks (delta debugging),
// then single operations until none can go.
func (s *shrinker) run(kept []int) []int {
	kept = s.prefix(kept)
	kept = s.clients(kept)
	kept = s.chunks(kept)
	return s.singles(kept)
}

// prefix looks by bisection for the shortest prefix, in invocation order,
// that still fails: a violation usually shows up early, and everything
// invoked after it is noise. Whether a prefix fails need not be monotone in
// its length; bisection still ends on one that fails.
func (s *shrinker) prefix(kept []int) []int {
	best := kept
	lo, hi := 1, len(kept) // the prefix of length hi (repaired: best) fails
	for lo < hi && !s.out() {
		mid := (lo + hi) / 2
		if cand, ok := s.try(kept, kept[:mid]); ok {
			best, hi = cand, mid
		} else {
			lo = mid + 1
		}
	}
	return best
}

// clients tries dropping every operation of one process at a time, most
// active first. A process is a client until an unknown outcome retires it
// (the recorder then gives the client a fresh number), the finest notion
// of client a history records.
func (s *shrinker) clients(kept []int) []int {
	for changed := true; changed && !s.out(); {
		changed = false
		count := map[int]int{}
		for _, i := range kept {
			count[s.h.ops[i].Process]++
		}
		procs := make([]int, 0, len(count))
		for p := range count {
			procs = append(procs, p)
		}
		sort.Slice(procs, func(a, b int) bool {
			if count[procs[a]] != count[procs[b]] {
				return count[procs[a]] > count[procs[b]]
			}
			return procs[a] < procs[b]
		})
		for _, p := range procs {
			if s.out() {
				break
			}
			cand := make([]int, 0, len(kept))
			for _, i := range kept {
				if s.h.ops[i].Process != p {
					cand = append(cand, i)
				}
			}
			if c, ok := s.try(kept, cand); ok {
				kept, changed = c, true
			}
		}
	}
	return kept
}

// chunks is delta debugging (ddmin, complements only): cut the operations
// into n contiguous chunks and try dropping each; on success go on with
// n-1 chunks of what is left, else with twice as many smaller chunks, until
// chunks are single operations.
func (s *shrinker) chunks(kept []int) []int {
	n := 2
	for len(kept) >= 2 && !s.out() {
		n = min(n, len(kept))
		dropped := false
		for c := 0; c < n && !s.out(); c++ {
			lo, hi := c*len(kept)/n, (c+1)*len(kept)/n
			cand := make([]int, 0, len(kept)-(hi-lo))
			cand = append(append(cand, kept[:lo]...), kept[hi:]...)
			if c, ok := s.try(kept, cand); ok {
				kept, dropped = c, true
				n = max(n-1, 2)
				break
			}
		}
		if !dropped {
			if n >= len(kept) {
				break
			}
			n *= 2
		}
	}
	return kept
}

// singles drops one operation at a time until no single one can go (the
// result is then 1-minimal: dropping any one operation either makes the
// history linearizable or would be dishonest).
func (s *shrinker) singles(kept []int) []int {
	for changed := true; changed && !s.out(); {
		changed = false
		for j := 0; j < len(kept) && !s.out(); {
			cand := make([]int, 0, len(kept)-1)
			cand = append(append(cand, kept[:j]...), kept[j+1:]...)
			if c, ok := s.try(kept, cand); ok {
				kept, changed = c, true
				continue
			}
			j++
		}
	}
	return kept
}

// out reports whether the budget or the context has ended the shrinking,
// and records why.
func (s *shrinker) out() bool {
	if s.stopped != "" {
		return true
	}
	switch {
	case s.ctx.Err() != nil:
		s.stopped = "cancelled"
	case !time.Now().Before(s.deadline):
		s.stopped = fmt.Sprintf("time budget of %s ran out", s.opts.Budget)
	}
	return s.stopped != ""
}

// try repairs cand, a subset of kept (see close), and reports whether the
// result is smaller than kept, an honest removal (see honest) and still not
// linearizable, as proved by a porcupine search that finished within its
// timeout. It returns the repaired candidate when it is, else kept.
func (s *shrinker) try(kept, cand []int) ([]int, bool) {
	cand = s.close(kept, cand)
	if len(cand) == 0 || len(cand) == len(kept) {
		return kept, false
	}
	if _, ok := s.honest(kept, cand); !ok {
		return kept, false
	}
	kh := prepareKey(s.key, cand, s.h.ops, s.h.end, true)
	if len(kh.ops) == 0 {
		return kept, false
	}
	budget := min(s.opts.CheckTimeout, time.Until(s.deadline))
	if budget <= 0 {
		return kept, false
	}
	s.checks++
	srch := s.g.begin(budget)
	res := porcupine.CheckOperationsTimeout(kh.model(&srch.abort), kh.ops, 0)
	if s.g.end(srch) != "" || res != porcupine.Illegal {
		return kept, false
	}
	return cand, true
}
