package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/raftlab/raftlab/fault"
)

// Shape is the form of a network partition.
type Shape int

const (
	// Isolate cuts one node (the Partition's Target) off from all others,
	// both ways.
	Isolate Shape = iota
	// Halves splits the cluster into two random groups, the smaller first
	// (RandomHalves).
	Halves
	// Minority cuts a random minority of random size off from the majority
	// (RandomMinority).
	Minority
	// Ring lets every node hear a different majority (RingCuts); it needs
	// at least four nodes.
	Ring
	// Bridge splits the cluster into two sides joined by one node that
	// hears both (BridgeCuts).
	Bridge
)

var shapeNames = map[Shape]string{Halves: "halves", Minority: "minority", Ring: "ring", Bridge: "bridge"}

// Partition cuts the network between groups of nodes, both ways; Heal
// removes the network rules of every node it cut. The lab's own HTTP
// traffic is never cut: clients keep reaching an isolated node, which is
// what lets a stale read be seen. History: kind "partition", value
//
//	Isolate, Halves, Minority: "n1 | n2 n3"
//	Ring:   "ring n1 n4 n2 n5 n3" (each node hears its ring neighbours)
//	Bridge: "n1 n2 | n4 n5 bridged by n3"
//
// and "heal" with the same value.
type Partition struct {
	Shape  Shape
	Target Target // the node isolated by Isolate
}

// Name is "partition-leader", "partition-follower", "partition-node",
// "partition-halves", "partition-minority", "partition-ring" or
// "partition-bridge".
func (p Partition) Name() string {
	if s, ok := shapeNames[p.Shape]; ok {
		return "partition-" + s
	}
	return "partition-" + p.Target.String()
}

// Inject cuts the network.
func (p Partition) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	ids := c.NodeIDs()
	var (
		value string
		cuts  Cuts
	)
	switch p.Shape {
	case Isolate, Halves, Minority:
		var groups [][]string
		switch p.Shape {
		case Halves:
			groups = RandomHalves(ids, rng)
		case Minority:
			g, err := RandomMinority(ids, rng)
			if err != nil {
				return nil, err
			}
			groups = g
		default:
			id, err := pickTarget(ctx, c, p.Target, rng)
			if err != nil {
				return nil, err
			}
			groups = IsolateOne(ids, id)
		}
		value, cuts = FormatGroups(groups), GroupCuts(groups)
	case Ring:
		ring, rc, err := RingCuts(ids, rng)
		if err != nil {
			return nil, err
		}
		value, cuts = "ring "+strings.Join(ring, " "), rc
	case Bridge:
		left, bridge, right, bc, err := BridgeCuts(ids, rng)
		if err != nil {
			return nil, err
		}
		value, cuts = FormatGroups([][]string{left, right})+" bridged by "+bridge, bc
	default:
		return nil, fmt.Errorf("chaos: unknown partition shape %d", p.Shape)
	}
	return p.install(ctx, c, value, cuts)
}

// InjectAt cuts node id off from every other node (Aimable: a part of a
// Compound), whatever the Shape.
func (p Partition) InjectAt(ctx context.Context, c Cluster, id string, _ *rand.Rand) (*Fault, error) {
	groups := IsolateOne(c.NodeIDs(), id)
	return p.install(ctx, c, FormatGroups(groups), GroupCuts(groups))
}

func (p Partition) install(ctx context.Context, c Cluster, value string, cuts Cuts) (*Fault, error) {
	var nc Networker
	if err := need(c, p.Name(), &nc); err != nil {
		return nil, err
	}
	if err := cuts.install(ctx, nc); err != nil {
		return nil, err
	}
	return NewFault(p.Name(), fault.Partition, value, c.NodeIDs(), fault.Heal, func(ctx context.Context) error {
		return cuts.heal(ctx, nc)
	}), nil
}
