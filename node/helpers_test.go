package node

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/nodeflags"

	"github.com/stretchr/testify/require"
)

// fastConfig gives a node quick raft timeouts so tests elect in well under a second.
func fastConfig(t testing.TB, id, dir, join string) Config {
	return Config{
		ID:       id,
		HTTPAddr: "127.0.0.1:0",
		RaftAddr: "127.0.0.1:0",
		Join:     join,
		DataDir:  filepath.Join(dir, id, "data"),
		RaftDir:  filepath.Join(dir, id, "raft"),
		Settings: nodeflags.Settings{
			HeartbeatTimeout:   200 * time.Millisecond,
			ElectionTimeout:    200 * time.Millisecond,
			LeaderLeaseTimeout: 100 * time.Millisecond,
			CommitTimeout:      5 * time.Millisecond,
			ApplyTimeout:       3 * time.Second,
		},
	}
}

// startNodes starts a cluster of n in-process nodes on loopback (real TCP,
// real Badger) and waits until every node is a voter and knows the leader.
func startNodes(t testing.TB, n int) []*Node {
	t.Helper()
	return startNodesWith(t, n, nil)
}

// startNodesWith is startNodes with each node's config passed through mod
// (nil: unchanged) before it starts.
func startNodesWith(t testing.TB, n int, mod func(*Config)) []*Node {
	t.Helper()
	dir := t.TempDir()
	config := func(id, join string) Config {
		c := fastConfig(t, id, dir, join)
		if mod != nil {
			mod(&c)
		}
		return c
	}
	first, err := Start(config("n1", ""))
	require.NoError(t, err)
	t.Cleanup(func() { _ = first.Close() })
	nodes := []*Node{first}
	waitFor(t, 10*time.Second, "first node leads", func() error {
		return api.NewClient(first.HTTPAddr()).Ready(context.Background())
	})
	for i := 2; i <= n; i++ {
		nd, err := Start(config(fmt.Sprintf("n%d", i), first.HTTPAddr()))
		require.NoError(t, err)
		t.Cleanup(func() { _ = nd.Close() })
		nodes = append(nodes, nd)
	}
	waitReady(t, nodes...)
	return nodes
}

func waitReady(t testing.TB, nodes ...*Node) {
	t.Helper()
	for _, nd := range nodes {
		waitFor(t, 15*time.Second, nd.ID()+" ready", func() error {
			return api.NewClient(nd.HTTPAddr()).Ready(context.Background())
		})
	}
}

// waitFor polls cond until it returns nil or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	var err error
	for time.Now().Before(deadline) {
		if err = cond(); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond) // poll interval, not synchronisation
	}
	require.NoError(t, err, "timed out waiting for %s", what)
}

func leaderOf(t testing.TB, nodes []*Node) *Node {
	t.Helper()
	var leader *Node
	waitFor(t, 10*time.Second, "a leader", func() error {
		for _, nd := range nodes {
			if nd.Raft().State().String() == "Leader" {
				leader = nd
				return nil
			}
		}
		return fmt.Errorf("no leader among %d nodes", len(nodes))
	})
	return leader
}
