package cluster

import (
	"context"
	"fmt"
	"time"
)

// MemberAPI is a store's own membership API, for stores whose members are
// announced to the cluster before they start and come back from a removal
// only as new, empty members (etcd: MemberAdd, then the new member starts
// with the configuration's member list and "existing"; a removed member's
// id is burnt, so its data cannot rejoin). A store without it is raftkv: a
// new node adds itself (-join), and a removed node is added back with its
// data (POST /join).
//
// The cluster calls it on the agreed leader's endpoint, retrying until the
// context ends, so both calls must be idempotent: adding a member that is
// already in the configuration returns the configuration, removing one that
// is not returns nil.
type MemberAPI interface {
	// AddMember asks the member at endpoint to add n as a voter and returns
	// the configuration after the change (n among it), as n's Args must name
	// it.
	AddMember(ctx context.Context, endpoint string, n NodeSpec) ([]NodeSpec, error)
	// RemoveMember asks the member at endpoint to remove n.
	RemoveMember(ctx context.Context, endpoint string, n NodeSpec) error
}

// memberAPI returns the store's MemberAPI, or nil for raftkv's join flow.
func (c *Cluster) memberAPI() MemberAPI {
	m, _ := c.store().(MemberAPI)
	return m
}

// announce adds n through the leader with the store's MemberAPI and sets
// the member list n's command line will name; it returns the leader.
func (c *Cluster) announce(ctx context.Context, m MemberAPI, n *Node) (*Node, error) {
	var leader *Node
	var members []NodeSpec
	err := poll(ctx, 100*time.Millisecond, func() (bool, error) {
		l, err := c.leaderOnce(ctx)
		if err != nil || l == nil || l == n {
			return false, nil
		}
		ep, err := l.Endpoint(ctx)
		if err != nil {
			return false, nil
		}
		ms, err := m.AddMember(ctx, ep, n.spec())
		if err != nil {
			c.log.Debug("cluster: add member", "node", n.id, "via", l.id, "err", err)
			return false, nil
		}
		leader, members = l, ms
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: add member: %w", n.id, err)
	}
	n.mu.Lock()
	n.initial = members
	n.mu.Unlock()
	return leader, nil
}

// createMember creates n's volume and container as a member that joins the
// running cluster: announced first with the store's MemberAPI, or (raftkv)
// joining by itself through join.
func (c *Cluster) createMember(ctx context.Context, n *Node, join *Node) error {
	if m := c.memberAPI(); m != nil {
		l, err := c.announce(ctx, m, n)
		if err != nil {
			return err
		}
		join = l
	}
	if join == nil {
		return fmt.Errorf("%s: create member: no member to join", n.id)
	}
	return n.createNode(ctx, join.HTTPAddr())
}
