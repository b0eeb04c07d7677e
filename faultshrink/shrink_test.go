package faultshrink

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeReplayer fails a replay when keep holds every window of need, except
// on the tries listed in flaky (a replay that passed by timing).
type fakeReplayer struct {
	need  []int
	flaky map[int]bool // try -> passes anyway
	err   error        // every replay errors
	calls int
}

func (f *fakeReplayer) Replay(_ context.Context, keep []int, try int) (Outcome, error) {
	f.calls++
	if f.err != nil {
		return Failed, f.err // the outcome of an errored replay is ignored
	}
	for _, w := range f.need {
		if !slices.Contains(keep, w) {
			return Passed, nil
		}
	}
	if f.flaky[try] {
		return Passed, nil
	}
	return Failed, nil
}

func TestShrinkFindsTheNeededWindows(t *testing.T) {
	f := &fakeReplayer{need: []int{2, 5}}
	res, err := Shrink(context.Background(), 7, f, Options{Replays: 3, Budget: 200})
	require.NoError(t, err)
	assert.Equal(t, []int{2, 5}, res.Kept)
	assert.Equal(t, 7, res.Original)
	assert.False(t, res.StoppedEarly)
	assert.Equal(t, "does-not-fail", res.NoFaults, "the empty schedule is tried last")
	assert.Equal(t, f.calls, res.Replays)
}

func TestShrinkFailureWithoutFaults(t *testing.T) {
	// The run fails whatever the faults: no window is needed.
	f := &fakeReplayer{}
	res, err := Shrink(context.Background(), 4, f, Options{Replays: 3, Budget: 200})
	require.NoError(t, err)
	assert.Equal(t, "fails", res.NoFaults)
	assert.Empty(t, res.Kept)
	assert.NotNil(t, res.Kept)
}

func TestShrinkToOneWindow(t *testing.T) {
	f := &fakeReplayer{need: []int{3}}
	res, err := Shrink(context.Background(), 7, f, Options{Replays: 3, Budget: 200})
	require.NoError(t, err)
	assert.Equal(t, []int{3}, res.Kept)
}

func TestShrinkMajorityOfReplays(t *testing.T) {
	// The first replay of every candidate passes by timing: two of three
	// still fail, which is a majority, and each decided candidate took all
	// three replays.
	f := &fakeReplayer{need: []int{1}, flaky: map[int]bool{0: true}}
	res, err := Shrink(context.Background(), 4, f, Options{Replays: 3, Budget: 200})
	require.NoError(t, err)
	assert.Equal(t, []int{1}, res.Kept)
	for _, tr := range res.Trials {
		if tr.Fails {
			assert.Equal(t, 2, tr.Failures, "%v", tr.Keep)
			assert.Equal(t, 3, tr.Replays)
		}
	}

	// Two of three pass: no candidate is accepted, not even the original.
	f = &fakeReplayer{need: []int{1}, flaky: map[int]bool{0: true, 1: true}}
	_, err = Shrink(context.Background(), 4, f, Options{Replays: 3, Budget: 200})
	require.ErrorIs(t, err, ErrNotReproduced)
	assert.Equal(t, 2, f.calls, "stops once the majority cannot be reached")
}

func TestShrinkStopsEarlyOnAPassingMajority(t *testing.T) {
	// Replays stop once decided: a candidate without window 0 passes twice
	// and is not replayed a third time.
	f := &fakeReplayer{need: []int{0}}
	res, err := Shrink(context.Background(), 2, f, Options{Replays: 3, Budget: 200})
	require.NoError(t, err)
	assert.Equal(t, []int{0}, res.Kept)
	// original: 2 fails; {0}: 2 fails; {1} is never tried: {0} came
	// first; no window at all: 2 passes.
	assert.Equal(t, 6, res.Replays)
	assert.Equal(t, "does-not-fail", res.NoFaults)
}

func TestShrinkBudget(t *testing.T) {
	f := &fakeReplayer{need: []int{6}}
	res, err := Shrink(context.Background(), 8, f, Options{Replays: 3, Budget: 5})
	require.NoError(t, err)
	assert.True(t, res.StoppedEarly)
	assert.Empty(t, res.NoFaults, "not tried")
	assert.LessOrEqual(t, res.Replays, 5)
	assert.Equal(t, 5, f.calls)
	// What is kept is a schedule that failed: here, after the original
	// (2 replays) and the first half {0..3} (2 passing replays), the
	// second half {4..7} failed once and the budget ran out: still all.
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7}, res.Kept)

	_, err = Shrink(context.Background(), 8, f, Options{Replays: 3, Budget: 1})
	require.ErrorIs(t, err, ErrNotReproduced)
}

func TestShrinkErroredReplaysAreNotFailures(t *testing.T) {
	f := &fakeReplayer{need: []int{0}, err: errors.New("no docker")}
	res, err := Shrink(context.Background(), 3, f, Options{Replays: 3, Budget: 20})
	require.ErrorIs(t, err, ErrNotReproduced)
	require.Len(t, res.Trials, 1)
	assert.Equal(t, 0, res.Trials[0].Failures)
	assert.Len(t, res.Trials[0].Errors, 2)
}

func TestShrinkBadInput(t *testing.T) {
	_, err := Shrink(context.Background(), 0, &fakeReplayer{}, Options{})
	require.Error(t, err)
}

func TestSplit(t *testing.T) {
	assert.Equal(t, [][]int{{0, 1, 2}, {3, 4, 5, 6}}, split([]int{0, 1, 2, 3, 4, 5, 6}, 2))
	assert.Equal(t, [][]int{{0}, {1}, {2}}, split([]int{0, 1, 2}, 5))
	assert.Equal(t, []int{0, 2}, complement([]int{0, 1, 2}, []int{1}))
}
