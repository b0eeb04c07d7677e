package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/bugs"
)

func TestParseSelftestFlags(t *testing.T) {
	f, err := parseSelftestFlags(nil)
	require.NoError(t, err)
	assert.Equal(t, bugs.All, f.bugs)
	assert.Equal(t, 3, f.seeds)
	assert.True(t, f.baseline)

	f, err = parseSelftestFlags([]string{"--bugs", bugs.All[0].Name, "--seeds", "10", "--duration", "8s", "--no-baseline", "--min-rate", "0.5"})
	require.NoError(t, err)
	require.Len(t, f.bugs, 1)
	assert.Equal(t, 10, f.seeds)
	assert.Equal(t, 8*time.Second, f.duration)
	assert.False(t, f.baseline)

	for want, args := range map[string][]string{
		"unknown planted bug": {"--bugs", "bug-nope"},
		"--seeds 0":           {"--seeds", "0"},
		"--duration":          {"--duration", "10ms"},
		"--min-rate":          {"--min-rate", "2"},
	} {
		code, _, stderr := cli(append([]string{"selftest"}, args...)...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Contains(t, stderr, want, "%v", args)
	}
	code, out, _ := cli("selftest", "--list")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, bugs.All[0].Name)
}
