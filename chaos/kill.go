package chaos

import (
	"context"
	"math/rand/v2"

	"github.com/raftlab/raftlab/fault"
)

// Kill crashes one node with SIGKILL; Heal starts it again with its data.
// History: "kill n2" … "start n2".
type Kill struct {
	Target Target
}

// Name is "kill-leader", "kill-follower" or "kill-node".
func (k Kill) Name() string { return "kill-" + k.Target.String() }

// Inject kills the chosen node.
func (k Kill) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	id, err := pickTarget(ctx, c, k.Target, rng)
	if err != nil {
		return nil, err
	}
	return k.InjectAt(ctx, c, id, rng)
}

// InjectAt is Inject aimed at node id (Aimable: a part of a Compound).
func (k Kill) InjectAt(ctx context.Context, c Cluster, id string, rng *rand.Rand) (*Fault, error) {
	var kc Killer
	if err := need(c, k.Name(), &kc); err != nil {
		return nil, err
	}
	if err := kc.KillNode(ctx, id); err != nil {
		return nil, err
	}
	return NewFault(k.Name(), fault.Kill, id, []string{id}, fault.Start, func(ctx context.Context) error {
		return kc.StartNode(ctx, id)
	}), nil
}
