package cluster

import (
	"context"
	"fmt"
	"time"

	"github.com/moby/moby/client"
	"golang.org/x/sync/errgroup"
)

// KillAll crashes the given nodes (every node when none are given) at the
// same moment, as a power loss does: one goroutine per node waits at a
// gate, then sends SIGKILL. It returns once every process is gone, with the
// spread: the time between the first and the last process exit as the
// engine recorded them (State.FinishedAt), a measure of how simultaneous the
// crash was. Nodes already down are left as they are; paused ones are
// killed too (see Node.Kill).
func (c *Cluster) KillAll(ctx context.Context, nodes ...*Node) (spread time.Duration, err error) {
	if len(nodes) == 0 {
		nodes = c.Nodes()
	}
	// Look the states up before the gate so that the kills themselves are
	// one API call each.
	states := make([]string, len(nodes))
	for i, n := range nodes {
		if states[i], err = n.ContainerState(ctx); err != nil {
			return 0, err
		}
	}
	gate := make(chan struct{})
	g, gctx := errgroup.WithContext(ctx)
	for i, n := range nodes {
		g.Go(func() error {
			<-gate
			switch states[i] {
			case "running":
				if _, err := c.dc.ContainerKill(gctx, n.ctrID(), client.ContainerKillOptions{Signal: "SIGKILL"}); err != nil {
					return fmt.Errorf("%s: kill: %w", n.id, err)
				}
				return n.waitState(gctx, "exited")
			case "paused":
				return n.Kill(gctx)
			}
			return nil
		})
	}
	close(gate)
	if err := g.Wait(); err != nil {
		return 0, err
	}
	var first, last time.Time
	for i, n := range nodes {
		if states[i] != "running" && states[i] != "paused" {
			continue
		}
		insp, err := c.dc.ContainerInspect(ctx, n.ctrID(), client.ContainerInspectOptions{})
		if err != nil || insp.Container.State == nil {
			return 0, fmt.Errorf("%s: inspect after kill: %w", n.id, err)
		}
		t, err := time.Parse(time.RFC3339Nano, insp.Container.State.FinishedAt)
		if err != nil {
			return 0, fmt.Errorf("%s: finished at %q: %w", n.id, insp.Container.State.FinishedAt, err)
		}
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	return last.Sub(first), nil
}
