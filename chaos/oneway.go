package chaos

import (
	"context"
	"math/rand/v2"

	"github.com/raftlab/raftlab/fault"
)

// OneWay cuts the links between one node and all its peers in one
// direction only (asymmetric partitions are where "the network is
// reliable" assumptions hide): with Inbound the target hears nothing, with
// Outbound nothing it sends arrives. Heal removes the rules of the nodes it
// cut. History: "partition n1 n3 -x-> n2" … "heal n1 n3 -x-> n2" (Inbound
// on n2), "partition n2 -x-> n1 n3" … (Outbound from n2).
type OneWay struct {
	Target Target
	Dir    Direction
}

// Name is e.g. "oneway-in-leader" (the leader cannot receive) or
// "oneway-out-follower" (a follower cannot send).
func (o OneWay) Name() string { return "oneway-" + o.Dir.String() + "-" + o.Target.String() }

// Inject cuts the target's links one way.
func (o OneWay) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	var nc Networker
	if err := need(c, o.Name(), &nc); err != nil {
		return nil, err
	}
	id, err := pickTarget(ctx, c, o.Target, rng)
	if err != nil {
		return nil, err
	}
	ids := c.NodeIDs()
	cuts, err := OneWayCuts(ids, id, o.Dir)
	if err != nil {
		return nil, err
	}
	if err := cuts.install(ctx, nc); err != nil {
		return nil, err
	}
	return NewFault(o.Name(), fault.Partition, FormatOneWay(ids, id, o.Dir), []string{id}, fault.Heal, func(ctx context.Context) error {
		return cuts.heal(ctx, nc)
	}), nil
}
