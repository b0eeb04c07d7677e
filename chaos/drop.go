package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/raftlab/raftlab/cluster"
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
func (d Drop) Inject(ctx context.Context, c *cluster.Cluster, rng *rand.Rand) (*Fault, error) {
	n, err := pickTarget(ctx, c, d.Target, rng)
	if err != nil {
		return nil, err
	}
	if err := n.Drop(ctx, d.Percent); err != nil {
		return nil, err
	}
	return NewFault(d.Name(), "drop", fmt.Sprintf("%s %d%%", n.ID(), d.Percent), []string{n.ID()}, "heal", n.Heal), nil
}
