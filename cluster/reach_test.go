package cluster

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

func TestParseReach(t *testing.T) {
	for in, want := range map[string]Reach{"": ReachAuto, "auto": ReachAuto, "container": ReachContainer, "published": ReachPublished} {
		got, err := ParseReach(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseReach("direct")
	assert.ErrorContains(t, err, "want auto, container or published")
}

func TestBadReachIsRefusedBeforeAnythingStarts(t *testing.T) {
	_, err := Start(ctxFor(t, 10*time.Second), Options{Reach: "direct"})
	assert.ErrorContains(t, err, "Options.Reach")
}

// killedNodeCall kills a one-node cluster's node started with reach and
// returns what a write to it then gives, and how long it took.
func killedNodeCall(t *testing.T, reach Reach) (api.Result, time.Duration, *Cluster) {
	t.Helper()
	o := testOptions("reach-" + string(reach))
	o.Nodes = 1
	o.Reach = reach
	c := startCluster(t, o)
	ctx := ctxFor(t, time.Minute)
	n := c.Nodes()[0]
	mustSet(t, ctx, n, "k", "1")
	require.NoError(t, n.Kill(ctx))
	// A fresh client: no kept-alive connection from before the kill.
	cl, err := n.Client(ctx, api.WithTimeout(5*time.Second))
	require.NoError(t, err)
	t0 := time.Now()
	r := cl.Set(ctx, "k", "2")
	return r, time.Since(t0), c
}

// At its container address a killed node's holder still owns the IP, so
// the kernel refuses the connection: nothing was sent, a definite failure,
// and at once (no timeout).
func TestKilledNodeIsRefusedAtItsContainerAddress(t *testing.T) {
	r, took, c := killedNodeCall(t, ReachContainer)
	require.Equal(t, ReachContainer, c.Reach())
	ep, err := c.Nodes()[0].Endpoint(ctxFor(t, 10*time.Second))
	require.NoError(t, err)
	assert.Equal(t, "http://"+c.Nodes()[0].HTTPAddr(), ep)
	assert.Equal(t, api.Fail, r.Outcome, "write to a killed node: %v", r.Err)
	assert.ErrorContains(t, r.Err, "connection refused")
	assert.Less(t, took, time.Second)
}

// The fallback shows the problem Reach solves: Docker's port proxy accepts
// the connection and then drops it, so the same write is unknown.
func TestKilledNodeIsUnknownThroughThePublishedPort(t *testing.T) {
	r, _, c := killedNodeCall(t, ReachPublished)
	require.Equal(t, ReachPublished, c.Reach())
	ep, err := c.Nodes()[0].Endpoint(ctxFor(t, 10*time.Second))
	require.NoError(t, err)
	assert.False(t, strings.Contains(ep, c.Nodes()[0].IP().String()), ep)
	if r.Outcome == api.Fail && strings.Contains(r.Err.Error(), "connection refused") {
		// An engine with userland-proxy off forwards localhost ports in
		// the kernel: it refuses too, and there is no problem to show.
		t.Skipf("published port refused the connection (no userland proxy): %v", r.Err)
	}
	assert.Equal(t, api.Unknown, r.Outcome, "write to a killed node through the proxy: %v", r.Err)
}

func TestARemoteEngineIsOneNotOnThisMachine(t *testing.T) {
	local := []netip.Addr{netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("172.17.0.1")}
	names := map[string][]netip.Addr{
		"localhost":    {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")},
		"me.example":   {netip.MustParseAddr("192.0.2.2")},
		"lab.example":  {netip.MustParseAddr("198.51.100.7")},
		"both.example": {netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("172.17.0.1")},
	}
	lookup := func(h string) ([]netip.Addr, error) {
		if a, ok := names[h]; ok {
			return a, nil
		}
		return nil, errors.New("no such host")
	}
	for host, want := range map[string]bool{
		"unix:///var/run/docker.sock":    false,
		"npipe:////./pipe/docker_engine": false,
		"tcp://127.0.0.1:2375":           false,
		"tcp://[::1]:2375":               false,
		"tcp://localhost:2375":           false,
		"tcp://0.0.0.0:2375":             false,
		"tcp://192.0.2.2:2375":           false, // this machine's own address
		"tcp://172.17.0.1:2375":          false, // its bridge
		"tcp://me.example:2376":          false,
		"tcp://198.51.100.7:2375":        true,
		"https://lab.example:2376":       true,
		"ssh://user@lab.example":         true,
		"tcp://both.example:2375":        false, // one of its addresses is ours
		"tcp://gone.example:2375":        true,  // does not resolve: not ours
	} {
		assert.Equal(t, want, isRemoteHost(host, local, lookup), host)
	}
}
