package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/raftlab/raftlab/fault"
)

// Limit shapes everything one node sends to BytesPerSec (a token bucket):
// a slow link rather than a broken one. Raft's heartbeats are small and
// still get through, so no election need happen, but log replication and
// snapshots from a limited leader crawl, and the node's HTTP answers to
// clients are slowed too (the shaping is on all its egress). Heal removes
// it. History: "limit n2 50KB/s" … "heal n2 50KB/s".
type Limit struct {
	Target      Target
	BytesPerSec uint64 // e.g. 20_000..100_000
}

// Name is e.g. "limit50k-leader" (50 000 bytes per second).
func (l Limit) Name() string { return fmt.Sprintf("limit%s-%s", kilo(l.BytesPerSec), l.Target) }

// Inject installs the shaper.
func (l Limit) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	if l.BytesPerSec == 0 {
		return nil, fmt.Errorf("chaos: %s: a limit of 0 bytes per second", l.Name())
	}
	var nc Networker
	if err := need(c, l.Name(), &nc); err != nil {
		return nil, err
	}
	id, err := pickTarget(ctx, c, l.Target, rng)
	if err != nil {
		return nil, err
	}
	if err := nc.LimitNode(ctx, id, l.BytesPerSec); err != nil {
		return nil, err
	}
	value := fmt.Sprintf("%s %sB/s", id, kiloUpper(l.BytesPerSec))
	return NewFault(l.Name(), fault.Limit, value, []string{id}, fault.Heal, func(ctx context.Context) error {
		return nc.HealNode(ctx, id)
	}), nil
}

// kilo writes a rate in thousands when it is a whole number of them:
// 50000 → "50k", 1500 → "1500".
func kilo(b uint64) string {
	if b >= 1000 && b%1000 == 0 {
		return fmt.Sprintf("%dk", b/1000)
	}
	return fmt.Sprint(b)
}

func kiloUpper(b uint64) string {
	if b >= 1000 && b%1000 == 0 {
		return fmt.Sprintf("%dK", b/1000)
	}
	return fmt.Sprint(b)
}
