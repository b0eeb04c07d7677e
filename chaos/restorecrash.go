package chaos

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// RestoreCrash makes a follower crash right before it installs a snapshot
// from the leader. Inject cuts the follower off both ways and arms
// snapshot-before-restore=1*panic on it; through the fault window the
// majority writes on, snapshots and compacts its log (the scenario sets a
// low snapshot threshold and few trailing logs), so the entries the
// follower lacks are gone from every log. Heal removes the cuts: the leader
// can only send a snapshot, and the follower crashes at the point. Heal
// waits (up to Wait) until the follower stops answering, starts it, and the
// new process (the point off) installs the snapshot. A follower still alive
// at the deadline is disarmed and the Detail says so (the point was not
// reached: the leader still had the entries). History:
//
//	failpoint "n3 snapshot-before-restore=1*panic, cut off" … start "…"
type RestoreCrash struct {
	// Wait bounds how long Heal waits for the crash after the network is
	// whole again (default 5 s; a snapshot is sent within a heartbeat or
	// two, and its transfer takes milliseconds at the lab's sizes).
	Wait time.Duration
}

// Name is "failpoint-restore-follower".
func (r RestoreCrash) Name() string { return "failpoint-restore-follower" }

// Inject cuts a follower off and arms the point on it.
func (r RestoreCrash) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	var (
		nc Networker
		fc Failpointer
		kc Killer
	)
	if err := need(c, r.Name(), &nc, &fc, &kc); err != nil {
		return nil, err
	}
	ids := c.NodeIDs()
	id, err := pickTarget(ctx, c, Follower, rng)
	if err != nil {
		return nil, err
	}
	cuts := GroupCuts(IsolateOne(ids, id))
	if err := cuts.install(ctx, nc); err != nil {
		return nil, err
	}
	const term = "1*panic"
	if err := armAll(ctx, c, fc, []string{id}, fault.PointSnapshotBeforeRestore, term); err != nil {
		return nil, errors.Join(err, cuts.heal(ctx, nc))
	}
	wait := r.Wait
	if wait <= 0 {
		wait = 5 * time.Second
	}
	f := NewFault(r.Name(), fault.Failpoint, id+" "+fault.PointSnapshotBeforeRestore+"="+term+", cut off", []string{id}, fault.Heal, nil)
	f.heal = func(ctx context.Context) error {
		if err := cuts.heal(ctx, nc); err != nil {
			return err
		}
		waitAnswering(ctx, c, id, false, wait)
		return disarmOrStart(ctx, fc, kc, f, fault.PointSnapshotBeforeRestore)
	}
	return f, nil
}
