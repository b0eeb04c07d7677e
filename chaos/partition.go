package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// Shape is the form of a network partition.
type Shape int

const (
	// Isolate cuts one node (the Partition's Target) off from all others,
	// both ways.
	Isolate Shape = iota
	// Halves splits the cluster into two random groups, the smaller first.
	Halves
)

// Partition cuts the network between groups of nodes, both ways; Heal
// removes the network rules of every node it cut. The lab's own HTTP
// traffic is never cut: clients keep reaching an isolated node, which is
// what lets a stale read be seen. History: "partition n1 | n2 n3" …
// "heal n1 | n2 n3".
type Partition struct {
	Shape  Shape
	Target Target // the node isolated by Isolate
}

// Name is "partition-leader", "partition-follower", "partition-node" or
// "partition-halves".
func (p Partition) Name() string {
	if p.Shape == Halves {
		return "partition-halves"
	}
	return "partition-" + p.Target.String()
}

// Inject cuts the network.
func (p Partition) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	ids := c.NodeIDs()
	var groups [][]string
	switch p.Shape {
	case Halves:
		groups = RandomHalves(ids, rng)
	case Isolate:
		id, err := pickTarget(ctx, c, p.Target, rng)
		if err != nil {
			return nil, err
		}
		groups = IsolateOne(ids, id)
	default:
		return nil, fmt.Errorf("chaos: unknown partition shape %d", p.Shape)
	}
	cuts := GroupCuts(groups)
	if err := cuts.install(ctx, c); err != nil {
		return nil, err
	}
	return NewFault(p.Name(), "partition", FormatGroups(groups), ids, "heal", func(ctx context.Context) error {
		return cuts.heal(ctx, c)
	}), nil
}
