package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// Delay slows one node's traffic with its peers, both ways (so its round
// trips grow by twice Delay), by holding packets in a user-space queue
// (cluster.Node.Delay). With Jitter each packet's hold varies in
// Delay±Jitter, which reorders packets; with Reorder that percentage of
// packets skips the hold and overtakes the others. The lab's own traffic is
// spared. Heal removes the rules and stops the daemon.
//
// History: "delay n2 100ms" … "heal n2 100ms" (jitter and reorder appear
// in the value: "n2 50ms±40ms", "n2 50ms reorder 25%").
type Delay struct {
	Target  Target
	Delay   time.Duration
	Jitter  time.Duration
	Reorder float64 // percent
}

// Name is "delay100ms-leader", "jitter50ms-node" (jitter given) or
// "reorder25-node" (reorder given).
func (d Delay) Name() string {
	switch {
	case d.Reorder > 0:
		return fmt.Sprintf("reorder%g-%s", d.Reorder, d.Target)
	case d.Jitter > 0:
		return fmt.Sprintf("jitter%v-%s", d.Jitter, d.Target)
	}
	return fmt.Sprintf("delay%v-%s", d.Delay, d.Target)
}

// Inject starts the delay on the chosen node.
func (d Delay) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	if d.Delay <= 0 {
		return nil, fmt.Errorf("%s: needs a positive delay", d.Name())
	}
	var nc Networker
	if err := need(c, d.Name(), &nc); err != nil {
		return nil, err
	}
	id, err := pickTarget(ctx, c, d.Target, rng)
	if err != nil {
		return nil, err
	}
	spec, err := nc.DelayNode(ctx, id, d.Delay, d.Jitter, d.Reorder)
	if err != nil {
		return nil, err
	}
	return NewFault(d.Name(), fault.Delay, id+" "+spec, []string{id}, fault.Heal, func(ctx context.Context) error {
		return nc.HealNode(ctx, id)
	}), nil
}
