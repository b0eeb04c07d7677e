package cluster

import (
	"context"
	"time"
)

// By-id forms of the membership, crash and disk methods, for package
// chaos's Members, Killer and Disker interfaces (see byid.go).

// RemoveMember is Node.Leave by id.
func (c *Cluster) RemoveMember(ctx context.Context, id string) error {
	return c.with(id, func(n *Node) error { return n.Leave(ctx) })
}

// AddMember is Node.Rejoin by id.
func (c *Cluster) AddMember(ctx context.Context, id string) error {
	return c.with(id, func(n *Node) error { return n.Rejoin(ctx) })
}

// DestroyNode is Node.Destroy by id.
func (c *Cluster) DestroyNode(ctx context.Context, id string) error {
	return c.with(id, func(n *Node) error { return n.Destroy(ctx) })
}

// ReplaceNode is Node.Replace by id.
func (c *Cluster) ReplaceNode(ctx context.Context, id string) error {
	return c.with(id, func(n *Node) error { return n.Replace(ctx) })
}

// GrowNode is AddNode, returning the new node's id.
func (c *Cluster) GrowNode(ctx context.Context) (string, error) {
	n, err := c.AddNode(ctx)
	if err != nil {
		return "", err
	}
	return n.id, nil
}

// ShrinkNode is RemoveNode by id.
func (c *Cluster) ShrinkNode(ctx context.Context, id string) error {
	return c.with(id, func(n *Node) error { return c.RemoveNode(ctx, n) })
}

// KillNodes is KillAll by ids.
func (c *Cluster) KillNodes(ctx context.Context, ids []string) (time.Duration, error) {
	nodes := make([]*Node, 0, len(ids))
	for _, id := range ids {
		n, err := c.byID(id)
		if err != nil {
			return 0, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 0 {
		return 0, nil
	}
	return c.KillAll(ctx, nodes...)
}

// TruncateNodeFile is Node.Truncate by id and file name ("raft-log",
// "snapshot").
func (c *Cluster) TruncateNodeFile(ctx context.Context, id, file string, bytes int64, keep float64) (string, error) {
	f, err := c.diskFile(file)
	if err != nil {
		return "", err
	}
	n, err := c.byID(id)
	if err != nil {
		return "", err
	}
	ch, err := n.truncate(ctx, f, bytes, keep)
	if err != nil {
		return "", err
	}
	return ch.String(), nil
}

// FlipNodeBits is Node.FlipBits by id and file name.
func (c *Cluster) FlipNodeBits(ctx context.Context, id, file string, bits int, from float64, seed uint64) (string, error) {
	f, err := c.diskFile(file)
	if err != nil {
		return "", err
	}
	n, err := c.byID(id)
	if err != nil {
		return "", err
	}
	ch, err := n.flipBits(ctx, f, bits, from, seed)
	if err != nil {
		return "", err
	}
	return ch.String(), nil
}
