package cluster

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/raftlab/raftlab/fault"
)

// Directories of a node's data volume that an operator can lose or put
// back from an old copy (SaveDir, RestoreDir, RemoveDir).
const (
	// RaftDir is -raftdir: the raft log, stable store (term, vote) and
	// snapshots.
	RaftDir = "raft"
	// DataDir is -datadir: the state machine's BadgerDB.
	DataDir = "kv"
)

// DirChange is what SaveDir, RestoreDir or RemoveDir did (netfault's
// answer).
type DirChange = fault.DirChange

// SaveDir copies the node's directory dir (RaftDir, DataDir) aside on its
// own volume under the name copy, replacing an earlier copy of that name.
// The node must be down. The copy lives as long as the volume.
func (n *Node) SaveDir(ctx context.Context, dir, copy string) (DirChange, error) {
	return n.dirOp(ctx, "save", "-path", dir, "-copy", copy)
}

// RestoreDir replaces the node's directory dir with the copy saved earlier
// under that name: an operator putting back an old backup. The node must
// be down.
func (n *Node) RestoreDir(ctx context.Context, dir, copy string) (DirChange, error) {
	return n.dirOp(ctx, "restore", "-path", dir, "-copy", copy)
}

// RemoveDir deletes the node's directory dir: an operator cleaning up the
// wrong folder. The node must be down.
func (n *Node) RemoveDir(ctx context.Context, dir string) (DirChange, error) {
	return n.dirOp(ctx, "remove", "-path", dir)
}

func (n *Node) dirOp(ctx context.Context, args ...string) (DirChange, error) {
	var ch DirChange
	out, err := n.diskHelper(ctx, args...)
	if err != nil {
		return ch, err
	}
	if err := json.Unmarshal(out, &ch); err != nil {
		return ch, fmt.Errorf("%s: netfault disk %s: %w: %s", n.id, args[0], err, out)
	}
	n.c.log.Info("cluster: directory "+ch.Op, "node", n.id, "dir", ch.Path, "copy", ch.Copy, "files", ch.Files, "bytes", ch.Bytes)
	return ch, nil
}

// SaveNodeDir is Node.SaveDir by id; it describes what it did.
func (c *Cluster) SaveNodeDir(ctx context.Context, id, dir, copy string) (string, error) {
	return c.dirByID(id, dir, func(n *Node, dir string) (DirChange, error) { return n.SaveDir(ctx, dir, copy) })
}

// RestoreNodeDir is Node.RestoreDir by id.
func (c *Cluster) RestoreNodeDir(ctx context.Context, id, dir, copy string) (string, error) {
	return c.dirByID(id, dir, func(n *Node, dir string) (DirChange, error) { return n.RestoreDir(ctx, dir, copy) })
}

// RemoveNodeDir is Node.RemoveDir by id.
func (c *Cluster) RemoveNodeDir(ctx context.Context, id, dir string) (string, error) {
	return c.dirByID(id, dir, func(n *Node, dir string) (DirChange, error) { return n.RemoveDir(ctx, dir) })
}

// dirByID runs f on node id with the store's directory of the chaos name
// dir.
func (c *Cluster) dirByID(id, dir string, f func(*Node, string) (DirChange, error)) (string, error) {
	path, err := c.diskDir(dir)
	if err != nil {
		return "", err
	}
	n, err := c.byID(id)
	if err != nil {
		return "", err
	}
	ch, err := f(n, path)
	if err != nil {
		return "", err
	}
	return ch.String(), nil
}
