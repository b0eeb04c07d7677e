package chaos

import (
	"context"
	"math/rand/v2"

	"github.com/raftlab/raftlab/cluster"
)

// Pause freezes one node (cgroup freezer, like SIGSTOP but invisible to the
// process: its sockets stay open and requests queue up); Heal resumes it.
// A resumed leader has not noticed the time go by, which is how process
// pauses (GC, VM stalls) break leases. History: "pause n2" … "resume n2".
type Pause struct {
	Target Target
}

// Name is "pause-leader", "pause-follower" or "pause-node".
func (p Pause) Name() string { return "pause-" + p.Target.String() }

// Inject pauses the chosen node.
func (p Pause) Inject(ctx context.Context, c *cluster.Cluster, rng *rand.Rand) (*Fault, error) {
	n, err := pickTarget(ctx, c, p.Target, rng)
	if err != nil {
		return nil, err
	}
	if err := n.Pause(ctx); err != nil {
		return nil, err
	}
	return NewFault(p.Name(), "pause", n.ID(), []string{n.ID()}, "resume", n.Resume), nil
}
