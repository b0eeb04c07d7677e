package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// check --shrink writes a smaller history that check rejects again, and a
// page that names the operations.
func TestCheckShrink(t *testing.T) {
	dir := t.TempDir()
	out, page := filepath.Join(dir, "ce.jsonl"), filepath.Join(dir, "ce.html")
	bad := filepath.Join(testdata, "unknown-write-needed-late.bad.jsonl")
	code, _, stderr := chaoslab(t, "check", bad, "--shrink", out, "--shrink-html", page)
	require.Equal(t, exitNotLinear, code, stderr)
	assert.Contains(t, stderr, `key "x" shrunk from 5 to 4 operations`)

	code, stdout, stderr := chaoslab(t, "check", out)
	assert.Equal(t, exitNotLinear, code, stderr)
	assert.Contains(t, stdout, "4 operations on 1 key")

	html, err := os.ReadFile(page)
	require.NoError(t, err)
	assert.Contains(t, string(html), "Counterexample: key &#34;x&#34;, 4 operations by 4 clients")
	assert.Contains(t, string(html), "0.000 ms")     // times in ms since the start
	assert.Contains(t, string(html), "const data =") // porcupine's picture

	// Nothing to shrink: no file, exit code of the verdict.
	ok := filepath.Join(testdata, "stale-read.ok.jsonl")
	out2 := filepath.Join(dir, "none.jsonl")
	code, _, stderr = chaoslab(t, "check", ok, "--shrink", out2)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stderr, "nothing to shrink")
	assert.NoFileExists(t, out2)

	code, _, stderr = chaoslab(t, "check", bad, "--shrink-html", page)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--shrink-html needs --shrink")
	code, _, stderr = chaoslab(t, "check", bad, "--shrink", out, "--shrink-budget", "0s")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--shrink-budget must be positive")
}
