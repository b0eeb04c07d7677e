package linearizability

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recheck reads the counterexample back from its JSONL form and checks it
// from scratch.
func recheck(t *testing.T, ce *Counterexample) *Result {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, ce.WriteJSONL(&buf))
	events, err := ReadJSONL(&buf)
	require.NoError(t, err)
	res, err := Check(context.Background(), events, Options{})
	require.NoError(t, err)
	return res
}

func TestShrinkTestdata(t *testing.T) {
	bads, err := filepath.Glob("testdata/*.bad.jsonl")
	require.NoError(t, err)
	require.NotEmpty(t, bads)
	for _, path := range bads {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".bad.jsonl"), func(t *testing.T) {
			ce, err := Shrink(context.Background(), readFile(t, path), ShrinkOptions{})
			require.NoError(t, err)
			require.NotNil(t, ce)
			assert.False(t, ce.StoppedEarly)
			assert.LessOrEqual(t, ce.Kept, 6)
			assert.LessOrEqual(t, ce.Kept, ce.Original)
			assert.Len(t, ce.Operations, ce.Kept)
			assert.Len(t, ce.OriginalLines, ce.Kept)
			assert.Equal(t, NotLinearizable, recheck(t, ce).Verdict)
			t.Logf("%d → %d operations\n%s", ce.Original, ce.Kept, ce.Explanation.Text)
		})
	}
}

func TestShrinkLinearizableDoesNothing(t *testing.T) {
	oks, err := filepath.Glob("testdata/*.ok.jsonl")
	require.NoError(t, err)
	require.NotEmpty(t, oks)
	for _, path := range oks {
		ce, err := Shrink(context.Background(), readFile(t, path), ShrinkOptions{})
		require.NoError(t, err, path)
		assert.Nil(t, ce, path)
	}
}
