package chaos

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// Stall is a process pause that a partition outlasts: the target is frozen,
// then cut off from its peers both ways; Heal thaws it while it is still cut
// off, waits until it no longer claims leadership (at most StepDownWait),
// and only then removes the network rules.
//
// Aimed at the leader, this is the classic way leases break: a leader
// frozen by a GC or VM pause wakes up still believing it leads, and until its
// lease check runs it answers the requests that queued up while it was
// frozen from its old state, while the majority has elected a new leader and
// moved on. A lease-based ("leader") read level is unsafe exactly here; a
// read-index read, which confirms leadership with a quorum, is not.
//
// History: "partition n1 | n2 n3" … "heal n1 | n2 n3"; Fault.Targets names
// the stalled node first.
type Stall struct {
	Target Target
	// StepDownWait bounds the wait for the thawed node to step down
	// (default 3 s).
	StepDownWait time.Duration
}

// Name is "stall-leader", "stall-follower" or "stall-node".
func (s Stall) Name() string { return "stall-" + s.Target.String() }

// Inject freezes the chosen node and cuts it off.
func (s Stall) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	var (
		pc Pauser
		nc Networker
	)
	if err := need(c, s.Name(), &pc, &nc); err != nil {
		return nil, err
	}
	id, err := pickTarget(ctx, c, s.Target, rng)
	if err != nil {
		return nil, err
	}
	if err := pc.PauseNode(ctx, id); err != nil {
		return nil, err
	}
	groups := IsolateOne(c.NodeIDs(), id)
	cuts := GroupCuts(groups)
	if err := cuts.install(ctx, nc); err != nil {
		return nil, err
	}
	wait := s.StepDownWait
	if wait <= 0 {
		wait = 3 * time.Second
	}
	heal := func(ctx context.Context) error {
		if err := pc.ResumeNode(ctx, id); err != nil {
			return err
		}
		// Give the thawed node the time to notice on its own, the way it
		// would if the partition outlasted the pause.
		wctx, cancel := context.WithTimeout(ctx, wait)
		for wctx.Err() == nil {
			st, err := c.NodeStatus(wctx, id)
			if err == nil && !st.IsLeader() {
				break
			}
			waitUntil(wctx, time.Now().Add(20*time.Millisecond))
		}
		cancel()
		return cuts.heal(ctx, nc)
	}
	targets := append([]string{id}, groups[1]...)
	return NewFault(s.Name(), fault.Partition, FormatGroups(groups), targets, fault.Heal, heal), nil
}
