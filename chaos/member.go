package chaos

import (
	"context"
	"math/rand/v2"

	"github.com/raftlab/raftlab/fault"
)

// MemberRemove removes one node from the raft configuration through the
// API while its process keeps running; Heal adds it back as a voter with
// its data. While removed it must neither vote, lead, commit nor answer a
// linearizable read from its own state. History: "member-remove n2" …
// "member-add n2".
type MemberRemove struct {
	Target Target
}

// Name is "member-remove-leader", "member-remove-follower" or
// "member-remove-node".
func (m MemberRemove) Name() string { return "member-remove-" + m.Target.String() }

// Inject removes the chosen member.
func (m MemberRemove) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	id, err := pickTarget(ctx, c, m.Target, rng)
	if err != nil {
		return nil, err
	}
	return m.InjectAt(ctx, c, id, rng)
}

// InjectAt is Inject aimed at node id (Aimable: a part of a Compound).
func (m MemberRemove) InjectAt(ctx context.Context, c Cluster, id string, rng *rand.Rand) (*Fault, error) {
	var mc Members
	if err := need(c, m.Name(), &mc); err != nil {
		return nil, err
	}
	if err := mc.RemoveMember(ctx, id); err != nil {
		return nil, err
	}
	return NewFault(m.Name(), fault.MemberRemove, id, []string{id}, fault.MemberAdd, func(ctx context.Context) error {
		return mc.AddMember(ctx, id)
	}), nil
}

// MemberReplace loses one node's disk: its container and data are deleted
// while it stays a (down) member; Heal replaces it the way an operator
// replaces a failed machine: the old member is removed and an empty node
// with the same id joins as a voter and catches up from its peers.
// History: "wipe n2" … "member-add n2".
type MemberReplace struct {
	Target Target
}

// Name is "member-replace-leader", "member-replace-follower" or
// "member-replace-node".
func (m MemberReplace) Name() string { return "member-replace-" + m.Target.String() }

// Inject destroys the chosen node.
func (m MemberReplace) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	var mc Members
	if err := need(c, m.Name(), &mc); err != nil {
		return nil, err
	}
	id, err := pickTarget(ctx, c, m.Target, rng)
	if err != nil {
		return nil, err
	}
	if err := mc.DestroyNode(ctx, id); err != nil {
		return nil, err
	}
	return NewFault(m.Name(), fault.Wipe, id, []string{id}, fault.MemberAdd, func(ctx context.Context) error {
		return mc.ReplaceNode(ctx, id)
	}), nil
}
