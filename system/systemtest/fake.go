// Package systemtest is an in-memory system under test for tests of the
// runner, campaigns and the CLI without Docker. It is a fake: one
// linearizable map behind every node, nodes that go down, freeze (answer
// after the fault), or get cut off (a cut-off node serves serializable
// reads from the copy it had, and refuses everything else).
package systemtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/system"
)

// System is the fake system. Has lists its capabilities (nil: kill, pause,
// network, stale reads). Of the fault handles it can have kill, pause and
// network (chaos.Killer, chaos.Pauser, chaos.Networker): its cluster
// implements the ones Has names and no other.
type System struct {
	Has []system.Capability
}

func (s System) has(c system.Capability) bool {
	if s.Has == nil {
		return slices.Contains([]system.Capability{system.Kill, system.Pause, system.Network, system.ReadStale}, c)
	}
	return slices.Contains(s.Has, c)
}

// Name implements system.System.
func (System) Name() string { return "fake" }

// Lacks implements system.System.
func (s System) Lacks(c system.Capability) string {
	impl, handle := system.Implements(s.offer(&Cluster{}), c)
	if impl || !handle && s.has(c) {
		return ""
	}
	return "the fake does not have it"
}

// offer wraps c so that it implements the handles s has and no other.
func (s System) offer(c *Cluster) system.Cluster {
	k, p, n := s.has(system.Kill), s.has(system.Pause), s.has(system.Network)
	switch {
	case k && p && n:
		return c
	case k && p:
		return struct {
			system.Cluster
			chaos.Killer
			chaos.Pauser
		}{c, c, c}
	case k && n:
		return struct {
			system.Cluster
			chaos.Killer
			chaos.Networker
		}{c, c, c}
	case p && n:
		return struct {
			system.Cluster
			chaos.Pauser
			chaos.Networker
		}{c, c, c}
	case k:
		return struct {
			system.Cluster
			chaos.Killer
		}{c, c}
	case p:
		return struct {
			system.Cluster
			chaos.Pauser
		}{c, c}
	case n:
		return struct {
			system.Cluster
			chaos.Networker
		}{c, c}
	}
	return struct{ system.Cluster }{c}
}

// Start implements system.System.
func (s System) Start(_ context.Context, cfg system.Config) (system.Cluster, error) {
	if err := system.CheckNoNodeData(s.Name(), cfg); err != nil {
		return nil, err
	}
	n := cfg.Nodes
	if n == 0 {
		n = 3
	}
	c := &Cluster{data: map[string]string{}, nodes: map[string]*node{}}
	for i := 1; i <= n; i++ {
		id := "n" + strconv.Itoa(i)
		c.ids = append(c.ids, id)
		c.nodes[id] = &node{cut: map[string]bool{}}
	}
	return s.offer(c), nil
}

// Cluster is the fake's running cluster.
type Cluster struct {
	mu    sync.Mutex
	data  map[string]string
	ids   []string
	nodes map[string]*node
}

type node struct {
	down, paused bool
	cut          map[string]bool // peers whose packets this node drops
	frozen       map[string]string
}

// isolated reports whether n lost a majority (caller holds mu): it hears
// fewer than half of its peers.
func (c *Cluster) isolated(n *node) bool {
	return len(n.cut) >= len(c.ids)/2+len(c.ids)%2 && len(n.cut) > 0
}

func (c *Cluster) node(id string) (*node, error) {
	n, ok := c.nodes[id]
	if !ok {
		return nil, fmt.Errorf("fake: no node %s", id)
	}
	return n, nil
}

// NodeIDs implements chaos.Cluster.
func (c *Cluster) NodeIDs() []string { return slices.Clone(c.ids) }

// LeaderID implements chaos.Cluster: the first node that is up and not
// cut off.
func (c *Cluster) LeaderID(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range c.ids {
		n := c.nodes[id]
		if !n.down && !n.paused && !c.isolated(n) {
			return id, nil
		}
	}
	return "", errors.New("fake: no leader")
}

// NodeStatus implements chaos.Cluster.
func (c *Cluster) NodeStatus(ctx context.Context, id string) (*api.Status, error) {
	l, _ := c.LeaderID(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.node(id)
	if err != nil {
		return nil, err
	}
	if n.down {
		return nil, errors.New("fake: node down")
	}
	st := &api.Status{ID: id, State: api.StateFollower, LeaderID: l, Term: 1}
	if l == id {
		st.State = api.StateLeader
	}
	for _, m := range c.ids {
		st.Members = append(st.Members, api.Member{ID: m, Suffrage: api.SuffrageVoter})
	}
	return st, nil
}

func (c *Cluster) set(id string, f func(*node)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.node(id)
	if err != nil {
		return err
	}
	f(n)
	return nil
}

// KillNode implements chaos.Killer.
func (c *Cluster) KillNode(_ context.Context, id string) error {
	return c.set(id, func(n *node) { n.down = true })
}

// StopNode implements chaos.Killer.
func (c *Cluster) StopNode(_ context.Context, id string, _ time.Duration) error {
	return c.set(id, func(n *node) { n.down = true })
}

// StartNode implements chaos.Killer.
func (c *Cluster) StartNode(_ context.Context, id string) error {
	return c.set(id, func(n *node) { n.down = false })
}

// PauseNode implements chaos.Pauser.
func (c *Cluster) PauseNode(_ context.Context, id string) error {
	return c.set(id, func(n *node) { n.paused = true })
}

// ResumeNode implements chaos.Pauser.
func (c *Cluster) ResumeNode(_ context.Context, id string) error {
	return c.set(id, func(n *node) { n.paused = false })
}

// CutFrom implements chaos.Networker: a node cut off from a majority keeps
// the copy of the data it had.
func (c *Cluster) CutFrom(_ context.Context, id string, from []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.node(id)
	if err != nil {
		return err
	}
	for _, f := range from {
		n.cut[f] = true
	}
	if c.isolated(n) && n.frozen == nil {
		n.frozen = map[string]string{}
		for k, v := range c.data {
			n.frozen[k] = v
		}
	}
	return nil
}

// DropNode implements chaos.Networker (no effect in the fake).
func (c *Cluster) DropNode(context.Context, string, int) error { return nil }

// LimitNode implements chaos.Networker (no effect in the fake).
func (c *Cluster) LimitNode(context.Context, string, uint64) error { return nil }

// DelayNode implements chaos.Networker (no effect in the fake).
func (c *Cluster) DelayNode(_ context.Context, _ string, d, _ time.Duration, _ float64) (string, error) {
	return d.String(), nil
}

// HealNode implements chaos.Networker.
func (c *Cluster) HealNode(_ context.Context, id string) error {
	return c.set(id, func(n *node) { n.cut, n.frozen = map[string]bool{}, nil })
}

// HealAll implements chaos.Cluster.
func (c *Cluster) HealAll(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.nodes {
		*n = node{cut: map[string]bool{}}
	}
	return nil
}

// KillNodes implements chaos.Killer.
func (c *Cluster) KillNodes(ctx context.Context, ids []string) (time.Duration, error) {
	for _, id := range ids {
		if err := c.KillNode(ctx, id); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// WaitReady implements system.Cluster.
func (c *Cluster) WaitReady(context.Context) error { return nil }

// Image implements system.Cluster.
func (c *Cluster) Image() string { return "fake" }

// Reach implements system.Cluster.
func (c *Cluster) Reach() string { return "memory" }

// Close implements system.Cluster.
func (c *Cluster) Close(context.Context) error { return nil }

// Client implements system.Cluster.
func (c *Cluster) Client(_ context.Context, id string, _ time.Duration) (api.KV, error) {
	if _, err := c.node(id); err != nil {
		return nil, err
	}
	return kv{c: c, id: id}, nil
}

// kv is a client bound to one node.
type kv struct {
	c  *Cluster
	id string
}

var errRefused = errors.New("fake: connection refused")

// op runs f against the shared data if the node can reach a majority.
func (k kv) op(f func(data map[string]string) api.Result) api.Result {
	k.c.mu.Lock()
	defer k.c.mu.Unlock()
	n := k.c.nodes[k.id]
	switch {
	case n.down:
		return api.Result{Outcome: api.Fail, Err: errRefused}
	case n.paused:
		return api.Result{Outcome: api.Unknown, Err: errors.New("fake: timeout (paused)")}
	case k.c.isolated(n):
		return api.Result{Outcome: api.Fail, Err: errors.New("fake: no quorum")}
	}
	return f(k.c.data)
}

func (k kv) Get(_ context.Context, key string, level api.ReadLevel) api.Result {
	if level == api.ReadStale {
		k.c.mu.Lock()
		n := k.c.nodes[k.id]
		if n.frozen != nil && !n.down && !n.paused {
			r := api.Result{Outcome: api.OK}
			if v, ok := n.frozen[key]; ok {
				r.Value = &v
			}
			k.c.mu.Unlock()
			return r
		}
		k.c.mu.Unlock()
	}
	return k.op(func(d map[string]string) api.Result {
		r := api.Result{Outcome: api.OK}
		if v, ok := d[key]; ok {
			r.Value = &v
		}
		return r
	})
}

func (k kv) Set(_ context.Context, key, value string) api.Result {
	return k.op(func(d map[string]string) api.Result { d[key] = value; return api.Result{Outcome: api.OK} })
}

func (k kv) Delete(_ context.Context, key string) api.Result {
	return k.op(func(d map[string]string) api.Result { delete(d, key); return api.Result{Outcome: api.OK} })
}

func (k kv) CAS(_ context.Context, key, expect, value string) api.Result {
	return k.op(func(d map[string]string) api.Result {
		v, ok := d[key]
		if !ok || v != expect {
			r := api.Result{Outcome: api.Fail, Mismatch: true, Err: errors.New("fake: value differs")}
			if ok {
				r.Value = &v
			}
			return r
		}
		d[key] = value
		return api.Result{Outcome: api.OK}
	})
}

var (
	_ system.Cluster  = (*Cluster)(nil)
	_ chaos.Killer    = (*Cluster)(nil)
	_ chaos.Pauser    = (*Cluster)(nil)
	_ chaos.Networker = (*Cluster)(nil)
)
