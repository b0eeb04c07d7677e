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
// breaks a contract again.
func TestCounterexamplesFailAgain(t *testing.T) {
	files, err := filepath.Glob("testdata/bad--*.jsonl")
	require.NoError(t, err)
	for _, file := range files {
		events := readHistory(t, file)
		res, err := Contracts(events)
		require.NoError(t, err)
		for _, a := range res.Anomalies {
			sub, err := Counterexample(events, a)
			require.NoError(t, err, file)
			again, err := Contracts(sub)
			require.NoError(t, err, file)
			assert.NotZero(t, again.AnomaliesTotal, "%s: %s", file, a.Text)
			assert.LessOrEqual(t, len(sub), len(events))
		}
	}
}
