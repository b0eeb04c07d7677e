package cluster

import (
	"context"
	"fmt"
	"time"

	"github.com/raftlab/raftlab/api"
)

// The methods in this file address nodes by id. They are what a fault
// injector needs (package chaos declares them as its Cluster core and its
// capability interfaces: Killer, Pauser, Networker, ...) and
// let it be tested against an in-memory fake: chaos never sees a *Node.

// NodeIDs returns the node ids in order n1, n2, ...
func (c *Cluster) NodeIDs() []string {
	nodes := c.Nodes()
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.id
	}
	return ids
}

// LeaderID returns the id of the leader a majority agrees on (see Leader),
// waiting for one until ctx ends.
func (c *Cluster) LeaderID(ctx context.Context) (string, error) {
	l, err := c.Leader(ctx)
	if err != nil {
		return "", err
	}
	return l.id, nil
}

// NodeStatus is Node.Status by id.
func (c *Cluster) NodeStatus(ctx context.Context, id string) (*api.Status, error) {
	n, err := c.byID(id)
	if err != nil {
		return nil, err
	}
	return n.Status(ctx)
}

// KillNode is Node.Kill by id.
func (c *Cluster) KillNode(ctx context.Context, id string) error {
	return c.with(id, func(n *Node) error { return n.Kill(ctx) })
}

// StopNode is Node.Stop by id.
func (c *Cluster) StopNode(ctx context.Context, id string, grace time.Duration) error {
	return c.with(id, func(n *Node) error { return n.Stop(ctx, grace) })
}

// StartNode is Node.Start by id.
func (c *Cluster) StartNode(ctx context.Context, id string) error {
	return c.with(id, func(n *Node) error { return n.Start(ctx) })
}

// PauseNode is Node.Pause by id.
func (c *Cluster) PauseNode(ctx context.Context, id string) error {
	return c.with(id, func(n *Node) error { return n.Pause(ctx) })
}

// ResumeNode is Node.Resume by id.
func (c *Cluster) ResumeNode(ctx context.Context, id string) error {
	return c.with(id, func(n *Node) error { return n.Resume(ctx) })
}

// CutFrom makes node id drop every packet it receives from the nodes in
// from (an inbound Cut): the links from → id are down, id → from stay up.
// A two-way cut between a and b is CutFrom(a, b) plus CutFrom(b, a).
func (c *Cluster) CutFrom(ctx context.Context, id string, from []string) error {
	n, err := c.byID(id)
	if err != nil {
		return err
	}
	peers := make([]*Node, 0, len(from))
	for _, p := range from {
		m, err := c.byID(p)
		if err != nil {
			return err
		}
		peers = append(peers, m)
	}
	return n.Cut(ctx, peers, Inbound)
}

// DropNode is Node.Drop by id.
func (c *Cluster) DropNode(ctx context.Context, id string, percent int) error {
	return c.with(id, func(n *Node) error { return n.Drop(ctx, percent) })
}

// LimitNode is Node.Limit by id.
func (c *Cluster) LimitNode(ctx context.Context, id string, bytesPerSec uint64) error {
	return c.with(id, func(n *Node) error { return n.Limit(ctx, bytesPerSec) })
}

// HealNode is Node.Heal by id: it removes every network fault of that node.
func (c *Cluster) HealNode(ctx context.Context, id string) error {
	return c.with(id, func(n *Node) error { return n.Heal(ctx) })
}

func (c *Cluster) byID(id string) (*Node, error) {
	if n := c.Node(id); n != nil {
		return n, nil
	}
	return nil, fmt.Errorf("cluster %s: no node %q (have %v)", c.id, id, c.NodeIDs())
}

func (c *Cluster) with(id string, f func(*Node) error) error {
	n, err := c.byID(id)
	if err != nil {
		return err
	}
	return f(n)
}

// DelayNode is Node.Delay by id, both directions, every peer; it returns
// the spec as people read it.
func (c *Cluster) DelayNode(ctx context.Context, id string, delay, jitter time.Duration, reorder float64) (string, error) {
	spec := DelaySpec{Delay: delay, Jitter: jitter, Reorder: reorder, Direction: Both}
	return spec.String(), c.with(id, func(n *Node) error { return n.Delay(ctx, spec) })
}
