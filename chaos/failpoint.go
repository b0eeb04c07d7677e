package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// Failpoint arms one of the node's failpoints (package failpoint's names:
// "fsm-before-commit", "snapshot-persist", ...) with a term ("1*panic",
// "sleep(300ms)", "error(x)") on its targets for the fault window; Heal
// disarms it. It needs the failpoint build of the node (the lab's image is).
//
// A panic term crashes the node exactly at the point: its process is gone
// and nothing restarts it until Heal, which disarms the point where the
// node still answers and starts the node where it does not (the new process
// starts with the point off). The heal event is "start" when at least one
// target was found down, "heal" otherwise; Fault.Detail says, per target,
// whether it crashed at the point or was alive (the point not reached, or a
// term that does not crash). History:
//
//	failpoint "n2 fsm-before-commit=1*panic" … start "n2 fsm-before-commit=1*panic"
type Failpoint struct {
	Target Target
	// All arms every node (Target is then ignored).
	All   bool
	Point string
	Term  string
}

// Name is "failpoint-POINT=TERM-T", T being leader, follower, node or all.
func (p Failpoint) Name() string {
	t := p.Target.String()
	if p.All {
		t = "all"
	}
	return "failpoint-" + p.Point + "=" + p.Term + "-" + t
}

// Inject arms the point on the chosen nodes. When arming fails on one, the
// nodes already armed are disarmed again before the error is returned (the
// schedule's HealAll does not know about failpoints).
func (p Failpoint) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	if p.Point == "" || p.Term == "" {
		return nil, fmt.Errorf("chaos: %s: needs a point and a term", p.Name())
	}
	var (
		fc Failpointer
		kc Killer
	)
	if err := need(c, p.Name(), &fc, &kc); err != nil {
		return nil, err
	}
	targets := c.NodeIDs()
	if !p.All {
		id, err := pickTarget(ctx, c, p.Target, rng)
		if err != nil {
			return nil, err
		}
		targets = []string{id}
	}
	if err := armAll(ctx, c, fc, targets, p.Point, p.Term); err != nil {
		return nil, err
	}
	f := NewFault(p.Name(), fault.Failpoint, strings.Join(targets, " ")+" "+p.Point+"="+p.Term, targets, fault.Heal, nil)
	f.heal = func(ctx context.Context) error { return disarmOrStart(ctx, fc, kc, f, p.Point) }
	return f, nil
}

// armAll arms point=term on ids in order; on an error it disarms those it
// armed (best effort) and returns the error. A node started by the previous
// window's heal may not answer yet: each is given up to armWait to answer
// /status first.
func armAll(ctx context.Context, c Cluster, fc Failpointer, ids []string, point, term string) error {
	for i, id := range ids {
		waitAnswering(ctx, c, id, true, armWait)
		if err := fc.ArmFailpoint(ctx, id, point, term); err != nil && !crashedAtArm(ctx, c, id) {
			for _, done := range ids[:i] {
				_ = fc.ArmFailpoint(ctx, done, point, "off")
			}
			return fmt.Errorf("arm %s=%s on %s: %w", point, term, id, err)
		}
	}
	return nil
}

// crashedAtArm tells an arm whose answer was lost because the node hit the
// point at once and died (it answered /status just before; the process is
// gone before the HTTP answer is written) from an arm that failed: the node
// no longer answers /status. The fault is then in place; Heal starts it.
func crashedAtArm(ctx context.Context, c Cluster, id string) bool {
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, err := c.NodeStatus(sctx, id)
	return err != nil
}

// armWait bounds how long arming waits for a freshly started node to answer.
const armWait = 10 * time.Second

// waitAnswering waits until node id answers /status (up) or stops
// answering it (!up), or until wait has passed; it polls every 50 ms. Arming
// waits for a freshly started node to come up; the restore-crash heal waits
// for the crashed follower to go down.
func waitAnswering(ctx context.Context, c Cluster, id string, up bool, wait time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		sctx, scancel := context.WithTimeout(ctx, time.Second)
		_, err := c.NodeStatus(sctx, id)
		scancel()
		// A status that failed because the wait itself ran out says
		// nothing about the node.
		if (err == nil) == up && ctx.Err() == nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// disarmOrStart is a failpoint fault's heal: each target that answers is
// disarmed; one that does not has crashed (at the point: nothing else acts
// on it in this window) and is started. It records what it found in
// f.Detail and makes the heal event "start" when it started a node.
func disarmOrStart(ctx context.Context, fc Failpointer, kc Killer, f *Fault, point string) error {
	var (
		found []string
		errs  []error
	)
	started := false
	for _, id := range f.Targets {
		derr := fc.ArmFailpoint(ctx, id, point, "off")
		if derr == nil {
			found = append(found, id+" alive at heal (did not crash at "+point+"), disarmed")
			continue
		}
		if err := kc.StartNode(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("%s did not answer (%v) and did not start: %w", id, derr, err))
			continue
		}
		started = true
		found = append(found, id+" down at heal (crashed at "+point+"), started")
	}
	f.Detail = strings.Join(found, "; ")
	if started {
		f.HealKind = fault.Start
	}
	return errors.Join(errs...)
}

// Crashed reports whether a failpoint fault's heal found target id down
// (crashed at the point), from its Detail.
func (f *Fault) Crashed(id string) bool {
	return strings.Contains(f.Detail, id+" down at heal")
}
