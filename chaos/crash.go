package chaos

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// CrashAll crashes every node at the same moment (SIGKILL from one
// goroutine per node, released together), as a power loss of the whole
// cluster would; Heal starts them all again with their data. Fault.Detail
// gives the measured spread of the exits. History: "crash n1 n2 n3" …
// "start n1 n2 n3".
type CrashAll struct{}

// Name is "crash-all".
func (CrashAll) Name() string { return "crash-all" }

// Inject kills every node.
func (a CrashAll) Inject(ctx context.Context, c Cluster, _ *rand.Rand) (*Fault, error) {
	return killTogether(ctx, c, a.Name(), fault.Crash, c.NodeIDs())
}

// KillMajority crashes a random majority of the nodes at the same moment
// (2 of 3, 3 of 5), so the cluster loses its quorum; Heal starts them again.
// History: "kill n1 n3" … "start n1 n3".
type KillMajority struct{}

// Name is "kill-majority".
func (KillMajority) Name() string { return "kill-majority" }

// Inject kills the chosen majority.
func (k KillMajority) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	return killTogether(ctx, c, k.Name(), fault.Kill, RandomMajority(c.NodeIDs(), rng))
}

func killTogether(ctx context.Context, c Cluster, name string, kind fault.Kind, ids []string) (*Fault, error) {
	var kc Killer
	if err := need(c, name, &kc); err != nil {
		return nil, err
	}
	spread, err := kc.KillNodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	f := NewFault(name, kind, strings.Join(ids, " "), ids, fault.Start, func(ctx context.Context) error {
		return startAll(ctx, kc, ids)
	})
	f.Detail = "SIGKILLs within " + spread.Round(10*time.Microsecond).String()
	return f, nil
}

// startAll starts every node in ids, trying all of them.
func startAll(ctx context.Context, c Killer, ids []string) error {
	var errs []error
	for _, id := range ids {
		if err := c.StartNode(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// RandomMajority chooses len(ids)/2+1 of ids at random (one permutation
// drawn from rng), in node order.
func RandomMajority(ids []string, rng *rand.Rand) []string {
	perm := rng.Perm(len(ids))
	out := make([]string, 0, len(ids)/2+1)
	for _, p := range perm[:len(ids)/2+1] {
		out = append(out, ids[p])
	}
	return sortedCopy(out)
}
