package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// RollingRestart restarts every node in turn, as an operator rolling out a
// new version would: a clean stop (SIGTERM, Grace), a start, then a wait
// until the whole cluster is ready before the next node. Followers go first
// and the leader last, so leadership moves once. The restarts run in the
// background from Inject on; Heal waits for them to finish (bounded by its
// context). History: "restart-rolling n1 n3 n2" … "start n1 n3 n2".
type RollingRestart struct {
	// Grace is how long each node may take to exit (default 3 s).
	Grace time.Duration
	// ReadyWait bounds each wait for the cluster to be ready (default 30 s).
	ReadyWait time.Duration
}

// Name is "restart-rolling".
func (RollingRestart) Name() string { return "restart-rolling" }

// Inject starts the rolling restart.
func (r RollingRestart) Inject(ctx context.Context, c Cluster, _ *rand.Rand) (*Fault, error) {
	var kc Killer
	if err := need(c, r.Name(), &kc); err != nil {
		return nil, err
	}
	order := LeaderLast(c.NodeIDs(), currentLeader(ctx, c))
	grace, wait := r.Grace, r.ReadyWait
	if grace <= 0 {
		grace = 3 * time.Second
	}
	if wait <= 0 {
		wait = 30 * time.Second
	}
	// The restarts outlive Inject's context; Heal cancels them if its own
	// context ends first.
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var (
		once sync.Once
		done = make(chan struct{})
		err  error
	)
	go func() {
		defer close(done)
		err = roll(rctx, c, kc, order, grace, wait)
	}()
	heal := func(ctx context.Context) error {
		select {
		case <-done:
		case <-ctx.Done():
			once.Do(cancel)
			<-done
			return fmt.Errorf("rolling restart unfinished: %w", ctx.Err())
		}
		once.Do(cancel)
		return err
	}
	return NewFault(r.Name(), fault.RestartRolling, strings.Join(order, " "), order, fault.Start, heal), nil
}

func roll(ctx context.Context, c Cluster, kc Killer, order []string, grace, wait time.Duration) error {
	for _, id := range order {
		if err := kc.StopNode(ctx, id, grace); err != nil {
			return err
		}
		if err := kc.StartNode(ctx, id); err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		err := c.WaitReady(wctx)
		cancel()
		if err != nil {
			return fmt.Errorf("after restarting %s: %w", id, err)
		}
	}
	return nil
}

// LeaderLast returns ids in order with the leader ("" for none) moved to
// the end.
func LeaderLast(ids []string, leader string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != leader {
			out = append(out, id)
		}
	}
	if len(out) < len(ids) {
		out = append(out, leader)
	}
	return out
}
