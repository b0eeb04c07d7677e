package linearizability

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readFile(t testing.TB, path string) []Event {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	events, err := ReadJSONL(f)
	require.NoError(t, err, path)
	return events
}

func fileLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	require.NoError(t, sc.Err())
	return lines
}

// The hand-written pairs in testdata differ by one event: the .ok history is
// linearizable and the .bad one is not.
func TestTestdataPairs(t *testing.T) {
	oks, err := filepath.Glob("testdata/*.ok.jsonl")
	require.NoError(t, err)
	require.NotEmpty(t, oks)
	for _, okPath := range oks {
		name := strings.TrimSuffix(filepath.Base(okPath), ".ok.jsonl")
		badPath := filepath.Join("testdata", name+".bad.jsonl")
		t.Run(name, func(t *testing.T) {
			okLines, badLines := fileLines(t, okPath), fileLines(t, badPath)
			require.Len(t, badLines, len(okLines))
			diff := 0
			for i := range okLines {
				if okLines[i] != badLines[i] {
					diff++
				}
			}
			require.Equal(t, 1, diff, "the pair must differ by exactly one event")

			for _, prune := range []bool{true, false} {
				opts := Options{KeepUnobserved: !prune}
				res, err := Check(context.Background(), readFile(t, okPath), opts)
				require.NoError(t, err)
				assert.Equal(t, Linearizable, res.Verdict, "%s (prune=%v)", okPath, prune)
				assert.Empty(t, res.Explanations)

				res, err = Check(context.Background(), readFile(t, badPath), opts)
				require.NoError(t, err)
				assert.Equal(t, NotLinearizable, res.Verdict, "%s (prune=%v)", badPath, prune)
				require.Len(t, res.Explanations, 1)
				ex := res.Explanations[0]
				assert.NotEmpty(t, ex.Blocked)
				t.Logf("%s\n%s", ex.Summary, ex.Text)
			}
		})
	}
}
