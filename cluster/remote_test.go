package cluster

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
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
	fw, err := newForwarder(remoteEngineAddr+":0", network, address)
	require.NoError(t, err)
	t.Cleanup(fw.close)

	dockerHost := "tcp://" + fw.ln.Addr().String()
	cmd := exec.CommandContext(ctx, os.Args[0],
		"-test.run=^TestThroughARemoteEngine$", "-test.count=1", "-test.v", "-test.timeout=3m")
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+dockerHost, remoteChildEnv+"=1",
		"TESTCONTAINERS_HOST_OVERRIDE=") // the address must come from DOCKER_HOST
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("child with DOCKER_HOST=%s took %s; forwarder carried %d connections (%d refused):\n%s",
		dockerHost, time.Since(t0).Round(time.Millisecond), fw.accepted.Load(), fw.refused.Load(), out)
	require.NoError(t, err, "the scenario through the TCP engine failed")
	assert.Contains(t, string(out), "--- PASS: TestThroughARemoteEngine")
	assert.NotContains(t, string(out), "--- SKIP")
	// Every Docker call went through the forwarder: the child never saw the socket.
	assert.Positive(t, fw.accepted.Load(), "no Docker call went through the forwarder")
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

// forwarder serves a Docker engine's socket on a TCP listener, as a remote
// engine would be served, for connections of this user only.
type forwarder struct {
	ln                net.Listener
	network, address  string
	accepted, refused atomic.Int64
	wg                sync.WaitGroup
	mu                sync.Mutex
	conns             map[net.Conn]struct{}
	closed            bool
}

func newForwarder(listen, network, address string) (*forwarder, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("forwarder: listen %s: %w", listen, err)
	}
	f := &forwarder{ln: ln, network: network, address: address, conns: map[net.Conn]struct{}{}}
	f.wg.Add(1)
	go f.serve()
	return f, nil
}

func (f *forwarder) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return // closed
		}
		// Loopback is open to every local user; the engine is root's.
		if uid, err := peerUID(c); err != nil || uid != os.Getuid() {
			f.refused.Add(1)
			_ = c.Close()
			continue
		}
		f.accepted.Add(1)
		f.wg.Add(1)
		go f.pipe(c)
	}
}

// track registers a connection for close; false once closing.
func (f *forwarder) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.conns[c] = struct{}{}
	return true
}

// pipe copies both ways; each direction's end is passed on as a half-close
// (the API's hijacked exec streams rely on it).
func (f *forwarder) pipe(down net.Conn) {
	defer f.wg.Done()
	up, err := net.Dial(f.network, f.address)
	if err != nil || !f.track(down) || !f.track(up) {
		_ = down.Close()
		if up != nil {
			_ = up.Close()
		}
		return
	}
	var wg sync.WaitGroup
	cp := func(dst, src net.Conn) {
		defer wg.Done()
		_, _ = io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
	}
	wg.Add(2)
	go cp(up, down)
	go cp(down, up)
	wg.Wait()
	_ = up.Close()
	_ = down.Close()
	f.mu.Lock()
	delete(f.conns, up)
	delete(f.conns, down)
	f.mu.Unlock()
}

func (f *forwarder) close() {
	_ = f.ln.Close()
	f.mu.Lock()
	f.closed = true
	for c := range f.conns {
		_ = c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// peerUID is the uid owning the other end of a loopback TCP connection,
// from /proc/net/tcp (the row whose local address is the peer's).
func peerUID(c net.Conn) (int, error) {
	peer, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return 0, err
	}
	if !peer.Addr().Unmap().Is4() {
		return 0, errors.New("peerUID: IPv4 only")
	}
	a := peer.Addr().Unmap().As4()
	// /proc/net/tcp prints the address as a host-order (little-endian) word.
	want := strings.ToUpper(hex.EncodeToString([]byte{a[3], a[2], a[1], a[0]})) +
		fmt.Sprintf(":%04X", peer.Port())
	fh, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) > 7 && fs[1] == want {
			return strconv.Atoi(fs[7])
		}
	}
	return 0, fmt.Errorf("peerUID: %s not in /proc/net/tcp", c.RemoteAddr())
}
