package faultshrink

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Outcome is what one replay of a candidate schedule showed.
type Outcome int

const (
	// Failed: the replay failed the way the original run did.
	Failed Outcome = iota
	// Passed: the replay passed.
	Passed
	// Unknown: the replay could not decide (an errored run, an unknown
	// verdict). It does not count as a failure: a window is dropped only
	// on evidence that the run fails without it.
	Unknown
)

func (o Outcome) String() string {
	switch o {
	case Failed:
		return "failed"
	case Passed:
		return "passed"
	}
	return "unknown"
}

// A Replayer replays the run with only the fault windows keep (indexes
// into the original schedule, ascending). try counts the candidate's
// replays from 0. An error is a replay that could not be carried out;
// it counts as Unknown.
type Replayer interface {
	Replay(ctx context.Context, keep []int, try int) (Outcome, error)
}

// Options tune Shrink.
type Options struct {
	// Replays is how many times each candidate is replayed (default 3).
	// A candidate fails when more than half of them fail; its replays stop
	// as soon as that is decided either way.
	Replays int
	// Budget is the most replays in all, the original schedule's
	// included (default 30). When it runs out the smallest schedule found
	// so far is the result.
	Budget int
	// OnTrial, if set, is told of every decided candidate.
	OnTrial func(Trial)
}

// A Trial is one decided candidate.
type Trial struct {
	Keep     []int     `json:"keep"`
	Outcomes []Outcome `json:"-"`
	Failures int       `json:"failures"`
	Replays  int       `json:"replays"`
	Fails    bool      `json:"fails"`
	Errors   []string  `json:"errors,omitempty"`
}

// Result is the outcome of Shrink.
type Result struct {
	// Original is how many windows the schedule started with; Kept the
	// windows of the smallest schedule that failed in most replays.
	Original int   `json:"original"`
	Kept     []int `json:"kept"`
	// Replays counts every replay carried out (errored ones included).
	Replays int     `json:"replays"`
	Trials  []Trial `json:"trials"`
	// StoppedEarly: the budget ran out before the schedule was 1-minimal
	// (no single window could be dropped); a smaller one may exist.
	StoppedEarly bool `json:"stopped_early,omitempty"`
	// NoFaults says what the schedule without any window did, tried last
	// (budget permitting): "does-not-fail" (most replays passed or were
	// unknown: the kept windows are needed), "fails" (the failure needs
	// no fault: Kept is empty) or "" (not tried: the budget ran out).
	NoFaults string `json:"no_faults,omitempty"`
}

// ErrNotReproduced: the original schedule did not fail in most of its
// replays, so there is nothing to shrink.
var ErrNotReproduced = errors.New("the original schedule did not fail in most replays")

// errBudget stops the search when the replay budget is spent.
var errBudget = errors.New("replay budget spent")

type search struct {
	r       Replayer
	o       Options
	res     *Result
	decided map[string]bool
}

// Shrink searches for the smallest subset of the n windows that still
// fails. It first replays all n (ErrNotReproduced when they do not fail
// in most replays), then runs ddmin: try each of k chunks alone, then each
// complement, refining k until no single window can go. The result is
// 1-minimal unless the budget ran out (StoppedEarly).
func Shrink(ctx context.Context, n int, r Replayer, o Options) (*Result, error) {
	if n < 1 {
		return nil, errors.New("faultshrink: the run has no fault windows")
	}
	if o.Replays <= 0 {
		o.Replays = 3
	}
	if o.Budget <= 0 {
		o.Budget = 30
	}
	s := &search{r: r, o: o, res: &Result{Original: n}, decided: map[string]bool{}}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	s.res.Kept = all
	fails, err := s.fails(ctx, all)
	switch {
	case errors.Is(err, errBudget):
		return s.res, fmt.Errorf("faultshrink: budget of %d replays too small to confirm the original schedule: %w", o.Budget, ErrNotReproduced)
	case err != nil:
		return s.res, err
	case !fails:
		return s.res, fmt.Errorf("faultshrink: %w", ErrNotReproduced)
	}
	err = s.ddmin(ctx, all)
	if err == nil {
		// ddmin never tries the empty schedule: whether the failure needs
		// any fault at all is asked last, so the budget goes to the
		// windows first.
		var f bool
		if f, err = s.fails(ctx, []int{}); err == nil {
			s.res.NoFaults = map[bool]string{true: "fails", false: "does-not-fail"}[f]
			if f {
				s.res.Kept = []int{}
			}
		}
	}
	if errors.Is(err, errBudget) {
		s.res.StoppedEarly = true
		err = nil
	}
	return s.res, err
}

// ddmin narrows s.res.Kept, which always holds a schedule known to fail.
func (s *search) ddmin(ctx context.Context, c []int) error {
	k := 2
	for len(c) >= 2 {
		chunks := split(c, k)
		reduced := false
		for _, ch := range chunks {
			f, err := s.fails(ctx, ch)
			if err != nil {
				return err
			}
			if f {
				c, k, reduced = ch, 2, true
				break
			}
		}
		if !reduced && k > 2 { // with two chunks the complements are the chunks
			for i := range chunks {
				comp := complement(c, chunks[i])
				f, err := s.fails(ctx, comp)
				if err != nil {
					return err
				}
				if f {
					c, k, reduced = comp, max(k-1, 2), true
					break
				}
			}
		}
		if reduced {
			s.res.Kept = c
			continue
		}
		if k >= len(c) {
			break
		}
		k = min(2*k, len(c))
	}
	return nil
}

// fails replays keep until a majority of o.Replays is decided, caching
// the verdict.
func (s *search) fails(ctx context.Context, keep []int) (bool, error) {
	key := keyOf(keep)
	if v, ok := s.decided[key]; ok {
		return v, nil
	}
	need := s.o.Replays/2 + 1
	t := Trial{Keep: slices.Clone(keep)}
	for try := 0; try < s.o.Replays; try++ {
		if t.Failures >= need || (try-t.Failures) > s.o.Replays-need {
			break // decided either way
		}
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if s.res.Replays >= s.o.Budget {
			return false, errBudget
		}
		out, err := s.r.Replay(ctx, keep, try)
		s.res.Replays++
		if err != nil {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			out = Unknown
			t.Errors = append(t.Errors, err.Error())
		}
		t.Outcomes = append(t.Outcomes, out)
		t.Replays++
		if out == Failed {
			t.Failures++
		}
	}
	t.Fails = t.Failures >= need
	s.decided[key] = t.Fails
	s.res.Trials = append(s.res.Trials, t)
	if s.o.OnTrial != nil {
		s.o.OnTrial(t)
	}
	return t.Fails, nil
}

// split cuts c into k chunks of near-equal size, in order.
func split(c []int, k int) [][]int {
	k = min(k, len(c))
	var out [][]int
	start := 0
	for i := range k {
		end := start + (len(c)-start)/(k-i)
		out = append(out, c[start:end])
		start = end
	}
	return out
}

// complement is c without the elements of sub (both ascending).
func complement(c, sub []int) []int {
	var out []int
	for _, x := range c {
		if !slices.Contains(sub, x) {
			out = append(out, x)
		}
	}
	return out
}

func keyOf(keep []int) string {
	parts := make([]string, len(keep))
	for i, x := range keep {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}
