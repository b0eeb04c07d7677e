package chaos

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// An Effect says whether a fault window's fault really took hold, as a
// probe saw it. An injection that returned no error is not proof: a kill
// whose signal was lost, a rule that matched nothing or a failpoint never
// reached leaves the cluster as healthy as a quiet window, and a run made
// of such windows tested nothing. Schedule.Run probes every fault right
// after injecting it (a failpoint at its heal, when its targets are found
// down or alive).
type Effect = fault.Effect

// LinkProber is implemented by clusters that can measure the network path
// between two nodes with packets of their own (*cluster.Cluster: netfault's
// UDP echo probe from inside from's network namespace). Network faults are
// probed with it; without it they count as not probed.
type LinkProber interface {
	// ProbeLink sends count probes from node from to node to and returns
	// how many were answered and the answers' median round trip.
	ProbeLink(ctx context.Context, from, to string, count int) (sent, received int, rttMedian time.Duration, err error)
}

// defaultProbeWait bounds how long a probe waits for a fault to show (a
// killed process to stop answering).
const defaultProbeWait = 3 * time.Second

// ProbeEffect looks at the cluster to see whether f is in place, waiting
// at most wait for it to show, and never past ctx's deadline (the schedule
// gives it the fault window: a probe must not stretch the fault). A probe
// that could not finish or could not look says so and counts as not
// probed, never as a fault that did not take effect. Failpoint faults are
// judged at heal (FailpointEffect); kinds without a probe are reported as
// not probed.
func ProbeEffect(ctx context.Context, c Cluster, f *Fault, wait time.Duration) Effect {
	if wait <= 0 {
		wait = defaultProbeWait
	}
	e := probeEffect(ctx, c, f, wait)
	if ctx.Err() != nil && !e.Took {
		return Effect{Took: true, Evidence: "injected; the probe did not finish within the fault window (" + e.Evidence + ")"}
	}
	return e
}

func probeEffect(ctx context.Context, c Cluster, f *Fault, wait time.Duration) Effect {
	switch f.Kind {
	case fault.Kill, fault.Stop, fault.Crash, fault.Truncate, fault.Bitflip, fault.Wipe:
		return downEffect(ctx, c, f.Targets, wait, "stopped answering /status")
	case fault.Pause:
		return downEffect(ctx, c, f.Targets, wait, "frozen: /status did not answer")
	case fault.Partition, fault.Drop, fault.Delay:
		lp, ok := c.(LinkProber)
		if !ok {
			return Effect{Took: true, Evidence: "injected; this cluster cannot probe links"}
		}
		return linkEffect(ctx, c, lp, f, wait)
	}
	return Effect{Took: true, Evidence: "injected; no probe for " + string(f.Kind)}
}

// downEffect: every target stops answering /status within wait.
func downEffect(ctx context.Context, c Cluster, ids []string, wait time.Duration, what string) Effect {
	var (
		mu      sync.Mutex
		down    []string
		alive   []string
		wg      sync.WaitGroup
		answers = map[string]bool{}
	)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			waitAnswering(ctx, c, id, false, wait)
			sctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
			_, err := c.NodeStatus(sctx, id)
			cancel()
			mu.Lock()
			answers[id] = err == nil
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if answers[id] {
			alive = append(alive, id)
		} else {
			down = append(down, id)
		}
	}
	if len(alive) > 0 {
		return Effect{Probed: true, Evidence: fmt.Sprintf("%s still answered /status %s after the injection", strings.Join(alive, " "), wait)}
	}
	return Effect{Took: true, Probed: true, Evidence: strings.Join(down, " ") + " " + what}
}

// probeCount is how many UDP probes a link measurement sends.
const probeCount = 20

// linkEffect measures the links a network fault should have hurt: a
// partition must leave some link of its targets with no answer at all, a
// drop must lose some probes, a delay must slow the round trip.
func linkEffect(ctx context.Context, c Cluster, lp LinkProber, f *Fault, wait time.Duration) Effect {
	ctx, cancel := context.WithTimeout(ctx, wait+2*time.Second)
	defer cancel()
	type link struct {
		from, to       string
		sent, received int
		rtt            time.Duration
		err            error
	}
	// Every target of a partition has a cut link except a bridge node;
	// two sources are enough, and keep the probes (a docker exec each) few.
	sources := f.Targets
	if len(sources) > 2 {
		sources = sources[:2]
	}
	var links []*link
	for _, from := range sources {
		for _, to := range c.NodeIDs() {
			if to != from {
				links = append(links, &link{from: from, to: to})
			}
		}
	}
	var wg sync.WaitGroup
	for _, l := range links {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.sent, l.received, l.rtt, l.err = lp.ProbeLink(ctx, l.from, l.to, probeCount)
		}()
	}
	wg.Wait()
	var seen []string
	var errs []string
	for _, l := range links {
		if l.err != nil {
			errs = append(errs, fmt.Sprintf("%s→%s: %v", l.from, l.to, l.err))
			continue
		}
		seen = append(seen, fmt.Sprintf("%s→%s %d/%d", l.from, l.to, l.received, l.sent))
		hurt := false
		switch f.Kind {
		case fault.Partition:
			hurt = l.sent > 0 && l.received == 0
		case fault.Drop:
			hurt = l.received < l.sent
		case fault.Delay:
			hurt = l.received > 0 && l.rtt >= 10*time.Millisecond
		}
		if hurt {
			ev := fmt.Sprintf("link %s→%s: %d of %d probes answered", l.from, l.to, l.received, l.sent)
			if f.Kind == fault.Delay {
				ev += fmt.Sprintf(", median round trip %s", l.rtt.Round(time.Millisecond))
			}
			return Effect{Took: true, Probed: true, Evidence: ev}
		}
	}
	if len(errs) > 0 {
		// The link that failed to be probed may be the one cut.
		return Effect{Took: true, Evidence: "injected; some links could not be probed: " + strings.Join(errs, "; ")}
	}
	return Effect{Probed: true, Evidence: "no link of the targets was hurt: " + strings.Join(seen, ", ")}
}

// FailpointEffect judges a failpoint fault after its heal: a crashing term
// (panic) took effect when some target was found down at heal (it crashed
// at the point); other terms leave no trace the lab can see, and are not
// probed.
func FailpointEffect(f *Fault) Effect {
	crashed := strings.Count(f.Detail, " down at heal")
	alive := strings.Count(f.Detail, " alive at heal")
	switch {
	case crashed > 0:
		return Effect{Took: true, Probed: true, Evidence: fmt.Sprintf("%d of %d targets crashed at the point", crashed, crashed+alive)}
	case strings.Contains(f.Value, "panic") && alive > 0:
		return Effect{Probed: true, Evidence: "the point was not reached: every target was alive at heal"}
	}
	return Effect{Took: true, Evidence: "armed; no probe for a term that does not crash"}
}
