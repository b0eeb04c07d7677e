package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const levelTestdata = "../../readcheck/testdata"

// check judges every read by its level's contract: readcheck's labelled
// histories exit 0 (ok--) or 1 naming the anomaly, key and node (bad--).
func TestCheckReadLevelContracts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(levelTestdata, "*.jsonl"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".jsonl")
		t.Run(name, func(t *testing.T) {
			code, out, _ := chaoslab(t, "check", file)
			parts := strings.Split(name, "--")
			if parts[0] == "ok" {
				assert.Equal(t, exitOK, code, out)
				assert.Contains(t, out, "contract: ok")
				return
			}
			assert.Equal(t, exitNotLinear, code, out)
			assert.Contains(t, out, "contract: VIOLATED")
			assert.Contains(t, out, parts[1]+`: key "`, "names the anomaly and the key")
			assert.Contains(t, out, "(lines ", "names the operations")
		})
	}
}

// A stale read behind the writes is informational: the stale contract holds,
// the level is not linearizable, and check exits 0.
func TestCheckMixedLevelsPrintsEachLevel(t *testing.T) {
	code, out, _ := chaoslab(t, "check", filepath.Join(levelTestdata, "ok--mixed-levels-evidence.jsonl"))
	assert.Equal(t, exitOK, code, out)
	assert.Contains(t, out, "linearizable 1 read, contract ok, linearizable (its contract)")
	assert.Contains(t, out, "stale        3 reads, contract ok, not linearizable (informational)")
	assert.Contains(t, out, "leader       2 reads, contract ok, not linearizable (informational)")
	assert.Contains(t, out, "evidence: indexes placed the operations of 2 of 2 keys")

	code, out, _ = chaoslab(t, "check", filepath.Join(levelTestdata, "bad--non-monotonic-read--evidence-restart.jsonl"))
	assert.Equal(t, exitNotLinear, code, out)
	assert.Contains(t, out, `non-monotonic-read: key "k", stale read on node n3 (incarnation n3-a)`)
}

// An empty history has nothing to judge: unknown, not "linearizable".
func TestCheckEmptyHistoryIsUnknown(t *testing.T) {
	code, out, _ := chaoslab(t, "check", writeFile(t, "empty.jsonl", ""))
	assert.Equal(t, exitUnknown, code, out)
	assert.Contains(t, out, "contract: unknown")
}

// --shrink of an anomaly writes its operations and the writes they read, a
// history check rejects again.
func TestCheckShrinkAnomaly(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ce.jsonl")
	code, _, stderr := chaoslab(t, "check", filepath.Join(levelTestdata, "bad--lost-write--evidence.jsonl"), "--shrink", out)
	assert.Equal(t, exitNotLinear, code)
	assert.Contains(t, stderr, "lost-write on key \"k\" cut to")
	code, text, _ := chaoslab(t, "check", out)
	assert.Equal(t, exitNotLinear, code, text)
	assert.Contains(t, text, "lost-write")
}
