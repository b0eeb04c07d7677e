package chaos

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// Restart shuts one node down cleanly (SIGTERM, killed after Grace) and
// Heal starts it again: a rolling-restart step, with the node down for the
// fault window. It differs from Kill in that the node may finish what it was
// doing and close its stores. History: "stop n2" … "start n2".
type Restart struct {
	Target Target
	// Grace is how long the node may take to exit (default 3 s).
	Grace time.Duration
}

// Name is "restart-leader", "restart-follower" or "restart-node".
func (r Restart) Name() string { return "restart-" + r.Target.String() }

// Inject stops the chosen node.
func (r Restart) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	id, err := pickTarget(ctx, c, r.Target, rng)
	if err != nil {
		return nil, err
	}
	return r.InjectAt(ctx, c, id, rng)
}

// InjectAt is Inject aimed at node id (Aimable: a part of a Compound).
func (r Restart) InjectAt(ctx context.Context, c Cluster, id string, rng *rand.Rand) (*Fault, error) {
	var kc Killer
	if err := need(c, r.Name(), &kc); err != nil {
		return nil, err
	}
	grace := r.Grace
	if grace <= 0 {
		grace = 3 * time.Second
	}
	if err := kc.StopNode(ctx, id, grace); err != nil {
		return nil, err
	}
	return NewFault(r.Name(), fault.Stop, id, []string{id}, fault.Start, func(ctx context.Context) error {
		return kc.StartNode(ctx, id)
	}), nil
}
