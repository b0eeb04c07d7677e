package cluster

import (
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/internal/enginefwd"
)

// remoteChildEnv marks the test binary re-run by TestThroughARemoteEngine.
const remoteChildEnv = "RAFTLAB_REMOTE_ENGINE_CHILD"

// remoteEngineAddr is where the test serves the engine: a loopback address
// other than 127.0.0.1 (Linux routes all of 127/8 to lo), so that a client
// that ignored DOCKER_HOST's host and dialled 127.0.0.1 would be caught,
// and nothing off this machine can reach the engine's API.
const remoteEngineAddr = "127.0.0.2"

// TestThroughARemoteEngine runs the lab against an engine it reaches only
// over TCP, as a user with DOCKER_HOST=tcp://… does: this machine's engine,
// served on a loopback port by a forwarder to its Unix socket. The engine
// host is resolved once per process by testcontainers (and the package's
// client), so the cluster runs in a child process (this test binary again)
// started with DOCKER_HOST pointing at the forwarder. The child reaches the
// nodes through their published ports at the engine's host address, kills
// the leader and checks that writes and reads carry on.
func TestThroughARemoteEngine(t *testing.T) {
	if os.Getenv(remoteChildEnv) != "" {
		remoteEngineScenario(t)
		return
	}
	needDocker(t)
	ctx := ctxFor(t, 3*time.Minute)
	dc, err := dockerClient(ctx)
	require.NoError(t, err)
	upstream, err := url.Parse(dc.DaemonHost())
	require.NoError(t, err)
	if upstream.Scheme != "unix" {
		// Serving a TCP engine again would prove nothing, and its TLS
		// settings would not fit the forwarder's address.
		t.Skipf("the engine is already reached over %s (%s): this test serves a local socket", upstream.Scheme, dc.DaemonHost())
	}
	network, address := upstream.Scheme, upstream.Path
	fw, err := enginefwd.New(remoteEngineAddr+":0", network, address)
	require.NoError(t, err)
	t.Cleanup(fw.Close)

	dockerHost := "tcp://" + fw.Addr()
	cmd := exec.CommandContext(ctx, os.Args[0],
		"-test.run=^TestThroughARemoteEngine$", "-test.count=1", "-test.v", "-test.timeout=3m")
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+dockerHost, remoteChildEnv+"=1",
		"TESTCONTAINERS_HOST_OVERRIDE=") // the address must come from DOCKER_HOST
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("child with DOCKER_HOST=%s took %s; forwarder carried %d connections (%d refused):\n%s",
		dockerHost, time.Since(t0).Round(time.Millisecond), fw.Accepted.Load(), fw.Refused.Load(), out)
	require.NoError(t, err, "the scenario through the TCP engine failed")
	assert.Contains(t, string(out), "--- PASS: TestThroughARemoteEngine")
	assert.NotContains(t, string(out), "--- SKIP")
	// Every Docker call went through the forwarder: the child never saw the socket.
	assert.Positive(t, fw.Accepted.Load(), "no Docker call went through the forwarder")
}

// remoteEngineScenario runs in the child: DOCKER_HOST is the forwarder.
func remoteEngineScenario(t *testing.T) {
	needDocker(t)
	ctx := ctxFor(t, 2*time.Minute)
	dc, err := dockerClient(ctx)
	require.NoError(t, err)
	host := dc.DaemonHost()
	require.True(t, strings.HasPrefix(host, "tcp://"+remoteEngineAddr+":"), "child's engine: %s", host)
	// The forwarder is on this machine: auto would probe (and here find the
	// containers); a user's remote engine would get published ports unprobed.
	require.False(t, engineIsRemote(ctx, host), "a TCP engine on a loopback address is local")

	o := testOptions("remote-engine")
	o.Reach = ReachPublished
	c := startCluster(t, o)
	require.Equal(t, ReachPublished, c.Reach())
	for _, n := range c.Nodes() {
		ep, err := n.Endpoint(ctx)
		require.NoError(t, err)
		u, err := url.Parse(ep)
		require.NoError(t, err)
		assert.Equal(t, remoteEngineAddr, u.Hostname(), "%s's endpoint %s: published port at the engine's host", n, ep)
		assert.NotEqual(t, strconv.Itoa(HTTPPort), u.Port(), "%s's endpoint %s", n, ep)
	}

	leader, err := c.Leader(ctx)
	require.NoError(t, err)
	mustSet(t, ctx, leader, "remote", "before")
	require.NoError(t, leader.Kill(ctx))
	t0 := time.Now()
	next, err := c.NewLeader(ctx, leader)
	require.NoError(t, err)
	t.Logf("killed %s; %s leads after %s", leader, next, time.Since(t0).Round(time.Millisecond))
	mustSet(t, ctx, next, "remote", "after")
	m, err := next.Memory(ctx)
	require.NoError(t, err)
	assert.Positive(t, m.VmRSS, "this engine is local after all: its pids are visible here")
	for _, n := range c.Others(leader) {
		r := nodeClient(t, ctx, n).Get(ctx, "remote", api.ReadLinearizable)
		require.Equal(t, api.OK, r.Outcome, "linearizable read on %s: %v", n, r.Err)
		require.NotNil(t, r.Value)
		assert.Equal(t, "after", *r.Value, "linearizable read on %s", n)
	}
	require.NoError(t, leader.Start(ctx))
	require.NoError(t, leader.WaitReady(ctx))
	cl := nodeClient(t, ctx, leader)
	eventually(t, ctx, "restarted "+leader.ID()+" catches up", func() bool {
		return readsAs(ctx, cl, "remote", "after", api.ReadStale)
	})
}
