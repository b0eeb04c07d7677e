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

// An etcd release is part of the system's name, so every command that
// names a system takes it: run, campaign, compare's list, list.
func TestEtcdReleaseNames(t *testing.T) {
	f, err := parseRunFlags([]string{"--system", "etcd@v3.5.4+slow-wal", "--scenario", "crash-single-node"})
	require.NoError(t, err)
	assert.Equal(t, "etcd@v3.5.4+slow-wal", f.system.Name())
	c, err := parseCampaignFlags([]string{"--system", "etcd@v3.5.5", "--scenarios", "crash-single-node", "--seed", "1"})
	require.NoError(t, err)
	assert.Equal(t, "etcd@v3.5.5", c.matrix.System)
	cf, err := parseCompareFlags([]string{"--systems", "etcd@v3.5.4+slow-wal,etcd@v3.5.5+slow-wal", "--scenarios", "crash-single-node"})
	require.NoError(t, err)
	require.Len(t, cf.systems, 2)
	assert.Equal(t, "etcd@v3.5.5+slow-wal", cf.systems[1].Name())
	_, err = parseRunFlags([]string{"--system", "etcd@v3.5.3"})
	assert.ErrorContains(t, err, "--system: etcd v3.5.3 is not built by the lab (known: v3.6.16, v3.5.4, v3.5.5")
	_, err = parseRunFlags([]string{"--system", "etcd+slow-wal"})
	assert.ErrorContains(t, err, "built without them")

	var out, errb strings.Builder
	code := runList(t.Context(), &env{stdout: &out, stderr: &errb}, []string{"--system", "etcd@v3.5.4+slow-wal"})
	require.Equal(t, exitOK, code, errb.String())
	assert.Regexp(t, `(?m)^crash-single-node\s+runs\s`, out.String())
}
