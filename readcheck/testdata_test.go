package readcheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
)

// readHistory reads a testdata history.
func readHistory(t *testing.T, path string) []linearizability.Event {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	events, err := linearizability.ReadJSONL(f)
	require.NoError(t, err, path)
	return events
}

// Every labelled history gets its label: ok--NAME meets every level's
// contract; bad--KIND--NAME breaks one, with an anomaly of that kind.
func TestLabelledHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.jsonl")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	kinds := map[Kind]int{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".jsonl")
		t.Run(name, func(t *testing.T) {
			events := readHistory(t, file)
			res, err := Check(context.Background(), events, Options{})
			require.NoError(t, err)
			parts := strings.Split(name, "--")
			switch parts[0] {
			case "ok":
				assert.Equal(t, OK, res.Contract, "anomalies: %v", res.Anomalies)
				assert.Empty(t, res.Anomalies)
			case "bad":
				require.Len(t, parts, 3, "bad--KIND--NAME")
				want := Kind(parts[1])
				assert.Equal(t, Violated, res.Contract)
				var got []Kind
				for _, a := range res.Anomalies {
					got = append(got, a.Kind)
					assert.NotEmpty(t, a.Text)
					assert.NotEmpty(t, a.Ops)
				}
				assert.Contains(t, got, want, "anomalies: %v", res.Anomalies)
				kinds[want]++
			default:
				t.Fatalf("file name %q: want ok--NAME or bad--KIND--NAME", name)
			}
		})
	}
	for _, k := range Kinds {
		assert.NotZero(t, kinds[k], "no labelled bad history of kind %s", k)
	}
}

// The counterexample of every labelled anomaly is a small history that
// breaks a contract again: the same kind of anomaly on the same offending
// operation, in no more events than the cut it was shrunk from, and minimal
// (no operation but the anomaly's own can be dropped).
func TestCounterexamplesFailAgain(t *testing.T) {
	files, err := filepath.Glob("testdata/bad--*.jsonl")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		events := readHistory(t, file)
		res, err := Contracts(events)
		require.NoError(t, err)
		require.NotEmpty(t, res.Anomalies, file)
		for _, a := range res.Anomalies {
			s, err := Shrink(context.Background(), events, a, ShrinkOptions{})
			require.NoError(t, err, file)
			assert.False(t, s.StoppedEarly, "%s: %s", file, s.StopReason)
			assert.LessOrEqual(t, len(s.Events), s.Cut, file)
			assert.LessOrEqual(t, s.Cut, len(events), file)
			again, err := Contracts(s.Events)
			require.NoError(t, err, file)
			assert.True(t, hasAnomaly(again, a), "%s: %s not found again in\n%s", file, a.Text, dump(s.Events))
			assertMinimal(t, s.Events, a)
			t.Logf("%s: %s: %d events → cut %d → shrunk %d (%d attempts)", filepath.Base(file), a.Kind, len(events), s.Cut, len(s.Events), s.Attempts)
		}
	}
}

// hasAnomaly: res has an anomaly of a's kind on a's offending operation.
func hasAnomaly(res *Result, a Anomaly) bool {
	for _, b := range res.Anomalies {
		if b.Kind == a.Kind && len(b.Ops) > 0 && b.Ops[0].Process == a.Ops[0].Process && b.Ops[0].Call == a.Ops[0].Call && b.Ops[0].Key == a.Ops[0].Key {
			return true
		}
	}
	return false
}

// assertMinimal: dropping any one operation of sub other than the
// anomaly's own loses the anomaly.
func assertMinimal(t *testing.T, sub []linearizability.Event, a Anomaly) {
	t.Helper()
	ops, err := linearizability.Pair(sub)
	require.NoError(t, err)
	for _, op := range ops {
		own := false
		for _, r := range a.Ops {
			own = own || r.Process == op.Process && r.Call == op.Call
		}
		if own {
			continue
		}
		var less []linearizability.Event
		for i, e := range sub {
			if i+1 != op.Line && i+1 != op.ReturnLine {
				less = append(less, e)
			}
		}
		res, err := Contracts(less)
		require.NoError(t, err)
		assert.False(t, hasAnomaly(res, a), "%s still shows without %s", a.Kind, op.String())
	}
}

// A shrunk counterexample drops what the anomaly does not need: on a large
// simulated history with one planted read of an old value, the
// counterexample keeps a handful of operations, and dropping any one of the
// others loses it.
func TestShrinkDropsTheRest(t *testing.T) {
	events := evidenceHistory(7, 4, 2000, 3)
	// Plant an old value: the last ok linearizable get of k0
	// returns the value of the first set of k0.
	first, last := -1, -1
	for i, e := range events {
		if e.Key != "k0" || e.Type != linearizability.TypeOk {
			continue
		}
		if e.F == linearizability.FSet && first < 0 {
			first = i
		}
		if e.F == linearizability.FGet && e.ReadLevel() == linearizability.LevelLinearizable {
			last = i
		}
	}
	require.True(t, first >= 0 && last > first)
	events[last].Value = events[first].Value
	res, err := Contracts(events)
	require.NoError(t, err)
	require.NotEmpty(t, res.Anomalies)
	a := res.Anomalies[0]
	s, err := Shrink(context.Background(), events, a, ShrinkOptions{})
	require.NoError(t, err)
	assert.False(t, s.StoppedEarly, s.StopReason)
	again, err := Contracts(s.Events)
	require.NoError(t, err)
	assert.True(t, hasAnomaly(again, a))
	assert.LessOrEqual(t, len(s.Events), s.Cut)
	assert.LessOrEqual(t, len(s.Events), 2*(len(a.Ops)+2), "kept: %s", dump(s.Events))
	assertMinimal(t, s.Events, a)
	t.Logf("%s: %d events → cut %d → shrunk %d in %d attempts", a.Kind, len(events), s.Cut, len(s.Events), s.Attempts)
}
