package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/internal/enginefwd"
	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/report"
)

// chaoslab run through a remote Docker engine, as a user who outgrew one
// machine runs it: DOCKER_HOST=tcp://… names an engine served (here: this
// machine's, by a forwarder on 127.0.0.2) over TCP; the nodes are reached
// on their published ports at the engine's address. The command is the
// built binary in its own process, since the engine a process talks to is
// resolved once per process.
func TestRunThroughARemoteEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker; skipped with -short")
	}
	socket := "/var/run/docker.sock"
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		u, err := url.Parse(h)
		require.NoError(t, err)
		if u.Scheme != "unix" {
			t.Skipf("the engine is already reached over %s: this test serves a local socket", u.Scheme)
		}
		socket = u.Path
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	require.NoError(t, cluster.CheckDocker(ctx))

	bin := filepath.Join(t.TempDir(), "chaoslab")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build chaoslab:\n%s", out)

	fw, err := enginefwd.New("127.0.0.2:0", "unix", socket)
	require.NoError(t, err)
	t.Cleanup(fw.Close)

	dir := filepath.Join(t.TempDir(), "run")
	cmd := exec.CommandContext(ctx, bin, "run", "--scenario", "kill-leader", "--seed", "5", "--duration", "8s",
		"--reach", "published", "--out", dir, "--json")
	cmd.Env = append(os.Environ(), "DOCKER_HOST=tcp://"+fw.Addr(), "TESTCONTAINERS_HOST_OVERRIDE=")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	err = cmd.Run()
	t.Logf("chaoslab run with DOCKER_HOST=tcp://%s took %s; the forwarder carried %d connections (%d refused)",
		fw.Addr(), time.Since(t0).Round(time.Millisecond), fw.Accepted.Load(), fw.Refused.Load())
	require.NoError(t, err, "stderr:\n%s", stderr.String())

	var sum report.Summary
	require.NoError(t, json.Unmarshal([]byte(stdout.String()), &sum), stdout.String())
	assert.Equal(t, linearizability.Linearizable, sum.Verdict)
	assert.True(t, sum.AsExpected)
	assert.Equal(t, string(cluster.ReachPublished), sum.Reach)
	assert.Positive(t, fw.Accepted.Load(), "no Docker call went through the forwarder")
}
