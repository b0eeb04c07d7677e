package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/raftlab/raftlab/fault"
)

// Drop makes one node lose Percent of the packets it exchanges with its
// peers, both ways, at random (the lab's own traffic is spared); Heal
// removes the rule. History: "drop n2 30%" … "heal n2 30%".
type Drop struct {
	Target  Target
	Percent int // 1..100
}

// Name is e.g. "drop30-follower".
func (d Drop) Name() string { return fmt.Sprintf("drop%d-%s", d.Percent, d.Target) }

// Inject installs the drop rule.
func (d Drop) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	id, err := pickTarget(ctx, c, d.Target, rng)
	if err != nil {
		return nil, err
	}
	return d.InjectAt(ctx, c, id, rng)
}

// InjectAt is Inject aimed at node id (Aimable: a part of a Compound).
func (d Drop) InjectAt(ctx context.Context, c Cluster, id string, rng *rand.Rand) (*Fault, error) {
	var nc Networker
	if err := need(c, d.Name(), &nc); err != nil {
		return nil, err
	}
	if err := nc.DropNode(ctx, id, d.Percent); err != nil {
		return nil, err
	}
	return NewFault(d.Name(), fault.Drop, fmt.Sprintf("%s %d%%", id, d.Percent), []string{id}, fault.Heal, func(ctx context.Context) error {
		return nc.HealNode(ctx, id)
	}), nil
}
