package cluster

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/moby/client"
	"golang.org/x/sync/errgroup"
)

// KillAll crashes the given nodes (every node when none are given) at the
// same moment, as a power loss does: one goroutine per node waits at a
// gate, then sends SIGKILL. When the engine runs on this host the signal goes
// straight to the node's raftkv process (kill(2) on its host pid);
// otherwise through the engine's API, which serialises the kills. It
// returns once every process is gone, with the spread: the time between the
// first and the last kill taking effect (kill(2) returned, or the API call
// returned), a measure of how simultaneous the crash was. (The engine's own
// exit timestamps are no such measure: it records exits one at a time.)
// Nodes already down are left as they are; paused ones are killed too (see
// Node.Kill).
func (c *Cluster) KillAll(ctx context.Context, nodes ...*Node) (spread time.Duration, err error) {
	if len(nodes) == 0 {
		nodes = c.Nodes()
	}
	// Look the states and pids up before the gate so that each kill is one
	// system or API call.
	states := make([]string, len(nodes))
	pids := make([]int, len(nodes))
	for i, n := range nodes {
		if states[i], err = n.ContainerState(ctx); err != nil {
			return 0, err
		}
		if states[i] == "running" {
			pids[i] = n.localPid(ctx)
		}
	}
	killed := make([]time.Time, len(nodes))
	gate := make(chan struct{})
	g, gctx := errgroup.WithContext(ctx)
	for i, n := range nodes {
		g.Go(func() error {
			<-gate
			switch states[i] {
			case "running":
				if pids[i] == 0 || syscall.Kill(pids[i], syscall.SIGKILL) != nil {
					if _, err := c.dc.ContainerKill(gctx, n.ctrID(), client.ContainerKillOptions{Signal: "SIGKILL"}); err != nil {
						return fmt.Errorf("%s: kill: %w", n.id, err)
					}
				}
				killed[i] = time.Now()
				return n.waitState(gctx, "exited")
			case "paused":
				err := n.Kill(gctx)
				killed[i] = time.Now()
				return err
			}
			return nil
		})
	}
	close(gate)
	if err := g.Wait(); err != nil {
		return 0, err
	}
	var first, last time.Time
	for _, t := range killed {
		if t.IsZero() {
			continue
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

// localPid returns the host pid of the node's store process when the
// engine runs on this host and the pid is visible here, else 0.
func (n *Node) localPid(ctx context.Context) int {
	insp, err := n.c.dc.ContainerInspect(ctx, n.ctrID(), client.ContainerInspectOptions{})
	if err != nil || insp.Container.State == nil || insp.Container.State.Pid <= 0 {
		return 0
	}
	pid := insp.Container.State.Pid
	// The same pid number in another pid namespace (a remote or VM engine)
	// would be some other process: make sure it is the store (/raftkv, /etcd).
	cmd, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !strings.HasPrefix(string(cmd), "/"+n.c.store().Name()+"\x00") {
		return 0
	}
	return pid
}
