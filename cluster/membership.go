package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/raftlab/raftlab/api"
)

// Membership changes. Every change goes through the node HTTP API of the
// current leader (POST /join, DELETE /members/{id}), as an operator would
// make it, one server at a time (raft's single-server changes).
//
// What hashicorp/raft (v1.8) does with a member that is removed while its
// process keeps running, and why it is safe:
//
//   - the leader appends the new configuration and replicates up to it to
//     the removed server before it stops replicating to it, so the removed
//     server normally learns that it is no longer a voter; a follower that
//     is not a voter in its latest configuration never starts an election
//     ("not part of stable configuration, aborting election"), and after a
//     heartbeat timeout it forgets the leader. It answers /ready with 503
//     and, knowing no leader, cannot forward writes or linearizable reads:
//     it answers 503 (only stale reads still come from its own state);
//   - a removed server that missed the new configuration still believes it
//     is a voter and campaigns, but the others reject its (pre-)votes ("not
//     in configuration"), so it can neither lead nor commit;
//   - a leader that removes itself steps down once the change commits and,
//     with raft's default ShutdownOnRemove, shuts raft down: the process
//     keeps serving HTTP with 503s until it is restarted.
//
// Adding it back needs no wipe: its log is a prefix of the leader's (or is
// overwritten where it diverges) and its term and vote are kept, so the
// leader adds it as a voter again and replicates what it missed. A removed
// leader's process must be restarted first (its raft is shut down); see
// Rejoin.

// AddNode grows the running cluster by one node: a new holder and node
// container (same image, flags and labels as the others, a fresh id, IP and
// volume), started with -join pointing at the current leader, which adds it
// as a voter. It returns when the new node is ready (a voter that knows the
// leader). On failure the new node's containers and volume are removed and
// it is not part of Nodes.
func (c *Cluster) AddNode(ctx context.Context) (*Node, error) {
	leader, err := c.Leader(ctx)
	if err != nil {
		return nil, fmt.Errorf("cluster: add node: %w", err)
	}
	n := c.newNode()
	err = n.createHolder(ctx)
	if err == nil {
		err = c.createMember(ctx, n, leader)
	}
	if err == nil {
		err = n.WaitReady(ctx)
	}
	if err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if c.opts.LogDir != "" && n.ctrID() != "" {
			_ = n.SaveLog(cctx)
		}
		c.forget(n)
		if rerr := n.removeContainers(cctx); rerr != nil {
			c.log.Error("cluster: cleanup after failed add", "node", n.id, "err", rerr)
		}
		return nil, fmt.Errorf("cluster: add node %s: %w", n.id, err)
	}
	c.log.Info("cluster: node added", "node", n.id, "ip", n.ip)
	return n, nil
}

// RemoveNode shrinks the cluster: it removes n from the raft configuration
// through the leader (forwarded by a surviving node; never n itself), then
// deletes n's containers and volume, and n leaves Nodes. The rest of the
// cluster must have a quorum. n's log is saved first when Options.LogDir is
// set.
func (c *Cluster) RemoveNode(ctx context.Context, n *Node) error {
	if _, err := c.removeMember(ctx, n, false); err != nil {
		return fmt.Errorf("cluster: remove node: %w", err)
	}
	if c.opts.LogDir != "" && n.ctrID() != "" {
		if err := n.SaveLog(ctx); err != nil {
			c.log.Warn("cluster: save log of removed node", "node", n.id, "err", err)
		}
	}
	c.forget(n)
	if err := n.removeContainers(ctx); err != nil {
		return fmt.Errorf("cluster: remove node: %w", err)
	}
	c.log.Info("cluster: node removed", "node", n.id)
	return nil
}

// forget drops n from Nodes.
func (c *Cluster) forget(n *Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, m := range c.nodes {
		if m == n {
			c.nodes = append(c.nodes[:i:i], c.nodes[i+1:]...)
			return
		}
	}
}

// removeContainers deletes the node container, the holder and the volume.
func (n *Node) removeContainers(ctx context.Context) error {
	var errs []error
	n.mu.Lock()
	id, holder := n.ctr, n.holder
	n.ctr, n.holder = "", nil
	n.mu.Unlock()
	if id != "" {
		if _, err := n.c.dc.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("%s: remove container: %w", n.id, err))
		}
	}
	if holder != nil {
		if _, err := n.c.dc.ContainerRemove(ctx, holder.GetContainerID(), client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("%s: remove holder: %w", n.id, err))
		}
	}
	if _, err := n.c.dc.VolumeRemove(ctx, n.volume, client.VolumeRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
		errs = append(errs, fmt.Errorf("%s: remove volume: %w", n.id, err))
	}
	return errors.Join(errs...)
}

// removeMember removes n from the raft configuration through the agreed
// leader and returns that leader. With self, n may itself be the leader
// that carries out its own removal; otherwise the call waits for a leader
// other than n.
func (c *Cluster) removeMember(ctx context.Context, n *Node, self bool) (*Node, error) {
	var leader *Node
	err := poll(ctx, 100*time.Millisecond, func() (bool, error) {
		l, err := c.leaderOnce(ctx)
		if err != nil || l == nil || (l == n && !self) {
			return false, nil
		}
		if m := c.memberAPI(); m != nil {
			ep, err := l.Endpoint(ctx)
			if err != nil || m.RemoveMember(ctx, ep, n.spec()) != nil {
				return false, nil
			}
		} else {
			cl, err := l.labClient(ctx)
			if err != nil || cl.RemoveMember(ctx, n.id) != nil {
				return false, nil
			}
		}
		leader = l
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: remove member: %w", n.id, err)
	}
	return leader, nil
}

// Leave removes the node from the raft configuration through the API while
// its process keeps running (it may be the leader: it then removes itself
// and steps down). Until Rejoin, the node is no voter: it can neither vote,
// lead nor commit, WaitReady on it fails, and Cluster.Undo adds it back.
func (n *Node) Leave(ctx context.Context) error {
	n.mu.Lock()
	n.left = true
	n.mu.Unlock()
	if _, err := n.c.removeMember(ctx, n, true); err != nil {
		return err
	}
	return nil
}

// Left reports whether the node was removed with Leave and not added back.
func (n *Node) Left() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.left
}

// Rejoin adds a node removed with Leave back as a voter, with its data: it
// restarts the process first when its raft was shut down (a leader that
// removed itself) or it is down, asks the leader to add it (POST /join with
// its id and addresses, as its own -join would) and returns when it is
// ready.
func (n *Node) Rejoin(ctx context.Context) error {
	if n.c.memberAPI() != nil {
		return n.rejoinEmpty(ctx)
	}
	st, err := n.ContainerState(ctx)
	if err != nil {
		return fmt.Errorf("%s: rejoin: %w", n.id, err)
	}
	switch st {
	case "paused":
		err = n.Resume(ctx)
	case "exited", "created":
		err = n.Start(ctx)
	case "running":
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		s, serr := n.Status(sctx)
		cancel()
		if serr == nil && s.State == api.StateShutdown {
			n.c.log.Info("cluster: restarting a removed node whose raft shut down", "node", n.id)
			err = n.Restart(ctx, 3*time.Second)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: rejoin: %w", n.id, err)
	}
	req := api.JoinRequest{ID: n.id, RaftAddr: n.RaftAddr(), HTTPAddr: n.HTTPAddr()}
	err = poll(ctx, 100*time.Millisecond, func() (bool, error) {
		l, err := n.c.leaderOnce(ctx)
		if err != nil || l == nil || l == n {
			return false, nil
		}
		cl, err := l.labClient(ctx)
		return err == nil && cl.Join(ctx, req) == nil, nil
	})
	if err != nil {
		return fmt.Errorf("%s: rejoin: join: %w", n.id, err)
	}
	if err := n.readyMember(ctx); err != nil {
		return fmt.Errorf("rejoin: %w", err)
	}
	return nil
}

// Destroy loses the node's disk: the node container is removed with its
// volume (its log is saved first when Options.LogDir is set). The member
// stays in the raft configuration, down, until Replace. Cluster.Undo
// replaces a destroyed node.
func (n *Node) Destroy(ctx context.Context) error {
	c := n.c
	if c.opts.LogDir != "" && n.ctrID() != "" {
		n.mu.Lock()
		n.wipes++
		name := fmt.Sprintf("%s.%d.log", n.id, n.wipes)
		n.mu.Unlock()
		if b, err := n.Logs(ctx); err == nil {
			_ = os.WriteFile(c.logPath(name), b, 0o644)
		}
	}
	if id := n.ctrID(); id != "" {
		if _, err := c.dc.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
			return fmt.Errorf("%s: destroy: remove container: %w", n.id, err)
		}
		n.mu.Lock()
		n.ctr = ""
		n.mu.Unlock()
	}
	if _, err := c.dc.VolumeRemove(ctx, n.volume, client.VolumeRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("%s: destroy: remove volume: %w", n.id, err)
	}
	return nil
}

// Replace brings a destroyed node back as a fresh member, the way an
// operator replaces a failed disk: the old member is removed from the raft
// configuration through the leader, and a new empty node with the same id
// and address joins it (it never bootstraps). It returns when the new node
// is a voter again. The rest of the cluster must have a quorum.
func (n *Node) Replace(ctx context.Context) error {
	if n.ctrID() != "" {
		return fmt.Errorf("%s: replace: the node still has its container; Destroy it first", n.id)
	}
	leader, err := n.c.removeMember(ctx, n, false)
	if err != nil {
		return fmt.Errorf("replace: %w", err)
	}
	if err := n.c.createMember(ctx, n, leader); err != nil {
		return fmt.Errorf("replace: %w", err)
	}
	return n.readyMember(ctx)
}

// readyMember waits until n is a ready voter and then marks it a member of
// the configuration again (no longer one that left), as Rejoin and Replace
// end.
func (n *Node) readyMember(ctx context.Context) error {
	if err := n.WaitReady(ctx); err != nil {
		return err
	}
	n.mu.Lock()
	n.left = false
	n.mu.Unlock()
	return nil
}

// rejoinEmpty is Rejoin for a store with a MemberAPI (etcd): a removed
// member's id is burnt, so the node comes back the way an operator re-adds
// it, as a new member with an empty disk: its container and volume are
// deleted (log saved, as Destroy does), it is announced through the leader
// and started with the configuration. Its reads start a new incarnation
// (the history's member-add).
func (n *Node) rejoinEmpty(ctx context.Context) error {
	if err := n.Destroy(ctx); err != nil {
		return fmt.Errorf("%s: rejoin: %w", n.id, err)
	}
	if err := n.c.createMember(ctx, n, nil); err != nil {
		return fmt.Errorf("%s: rejoin: %w", n.id, err)
	}
	if err := n.readyMember(ctx); err != nil {
		return fmt.Errorf("rejoin: %w", err)
	}
	return nil
}
