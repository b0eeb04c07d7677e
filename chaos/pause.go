package chaos

import (
	"context"
	"math/rand/v2"

	"github.com/raftlab/raftlab/fault"
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
func (p Pause) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	id, err := pickTarget(ctx, c, p.Target, rng)
	if err != nil {
		return nil, err
	}
	return p.InjectAt(ctx, c, id, rng)
}

// InjectAt is Inject aimed at node id (Aimable: a part of a Compound).
func (p Pause) InjectAt(ctx context.Context, c Cluster, id string, rng *rand.Rand) (*Fault, error) {
	var pc Pauser
	if err := need(c, p.Name(), &pc); err != nil {
		return nil, err
	}
	if err := pc.PauseNode(ctx, id); err != nil {
		return nil, err
	}
	return NewFault(p.Name(), fault.Pause, id, []string{id}, fault.Resume, func(ctx context.Context) error {
		return pc.ResumeNode(ctx, id)
	}), nil
}
