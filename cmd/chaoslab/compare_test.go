package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCompareFlags(t *testing.T) {
	f, err := parseCompareFlags(nil)
	require.NoError(t, err)
	require.Len(t, f.systems, 2)
	assert.Equal(t, "raftkv", f.systems[0].Name())
	assert.Equal(t, "etcd", f.systems[1].Name())
	assert.Len(t, f.seeds, 2)

	_, err = parseCompareFlags([]string{"--systems", "raftkv,nope"})
	assert.ErrorContains(t, err, `unknown system "nope"`)
	_, err = parseCompareFlags([]string{"--scenarios", "no-such"})
	assert.ErrorContains(t, err, "--scenarios")
	_, err = parseCompareFlags([]string{"--seeds", "0"})
	assert.ErrorContains(t, err, "--seeds")
}

func TestRunSystemFlag(t *testing.T) {
	f, err := parseRunFlags([]string{"--system", "etcd", "--scenario", "partition-leader"})
	require.NoError(t, err)
	assert.Equal(t, "etcd", f.system.Name())
	_, err = parseRunFlags([]string{"--system", "etcd", "--node-src", "."})
	assert.Error(t, err, "--node-src builds raftkv only")
	_, err = parseRunFlags([]string{"--system", "zookeeper"})
	assert.ErrorContains(t, err, "--system")
}

// A scenario the system cannot run exits 6 before anything starts (no
// Docker needed).
func TestRunNotApplicable(t *testing.T) {
	var out, errb strings.Builder
	code := runRun(t.Context(), &env{stdout: &out, stderr: &errb}, []string{"--system", "etcd", "--scenario", "leader-reads-partition"})
	assert.Equal(t, exitNotApplicable, code)
	assert.Contains(t, errb.String(), "not applicable to etcd")
	assert.Contains(t, errb.String(), "read-leader")
}

func TestSelftestSystem(t *testing.T) {
	var out, errb strings.Builder
	code := runSelftest(t.Context(), &env{stdout: &out, stderr: &errb}, []string{"--system", "etcd"})
	assert.Equal(t, exitNotApplicable, code)
	assert.Contains(t, errb.String(), "planted bugs")
	_, err := parseSelftestFlags([]string{"--system", "raftkv", "--list"})
	assert.NoError(t, err)
}
