package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/fault"
)

// Linearizable reads use the read-index protocol (Raft thesis §6.4), because
// hashicorp/raft has no ReadIndex API:
//
//  1. The node must be leader and have committed an entry in its current term
//     (one Barrier per term). Until then its commit index may not include
//     entries that earlier leaders committed.
//  2. Read idx := CommitIndex() after the request arrived: every write
//     acknowledged before the read began is at or below idx.
//  3. Confirm leadership with a quorum (VerifyLeader) in a round that starts
//     after the read arrived, and check the term did not change: so no other
//     leader could have committed anything newer by then.
//  4. Wait until the state machine has applied every command up to idx, then
//     read it locally.
//
// The read is therefore linearized at the moment of the confirmation round,
// which lies between the request's arrival and its answer. Concurrent reads
// share confirmation rounds (leaderConfirmer), so a leader answers many reads
// per heartbeat round trip.
func (n *Node) readIndex(ctx context.Context) error {
	term := n.raft.CurrentTerm()
	if n.raft.State() != raft.Leader {
		return raft.ErrNotLeader
	}
	// Planted bug bugs.ReadNoBarrier (Raft thesis §6.4; etcd-io/raft postpones
	// ReadIndex until the leader committed an entry in its term, see its
	// pendingReadIndexMessages): skip the barrier.
	if !n.bug(bugs.ReadNoBarrier) {
		if err := n.fail(fault.PointReadIndexBeforeBarrier); err != nil {
			return err
		}
		if err := n.barrierOnce(ctx, term); err != nil {
			return err
		}
	}
	idx := n.raft.CommitIndex()
	if err := n.fail(fault.PointReadIndexBeforeConfirm); err != nil {
		return err
	}
	if err := n.confirm.confirm(ctx); err != nil {
		return err
	}
	if n.raft.CurrentTerm() != term {
		return fmt.Errorf("term changed during read: %w", raft.ErrLeadershipLost)
	}
	if err := n.fail(fault.PointReadIndexBeforeWait); err != nil {
		return err
	}
	return n.waitApplied(ctx, idx)
}

// barrierOnce commits a barrier entry once per term.
func (n *Node) barrierOnce(ctx context.Context, term uint64) error {
	if n.barrierTerm.Load() == term {
		return nil
	}
	n.barrierMu.Lock()
	defer n.barrierMu.Unlock()
	if n.barrierTerm.Load() == term {
		return nil
	}
	timeout := n.cfg.ApplyTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, timeUntil(dl))
	}
	if err := n.raft.Barrier(timeout).Error(); err != nil {
		return fmt.Errorf("barrier: %w", err)
	}
	n.barrierTerm.Store(term)
	return nil
}

// waitApplied waits until the state machine reflects every command with an
// index <= idx. Raft never hands no-op and barrier entries to the FSM, so the
// FSM's applied index may stop short of idx for good; the gap is checked in
// the log and only commands in it are waited for.
func (n *Node) waitApplied(ctx context.Context, idx uint64) error {
	for {
		applied, changed := n.fsm.appliedChanged()
		if applied >= idx {
			return nil
		}
		if last, err := n.lastCommandIn(applied+1, idx); err == nil && last <= applied {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for index %d to apply: %w", idx, ctx.Err())
		}
	}
}

// lastCommandIn returns the highest index in [lo, hi] holding a command or
// configuration entry (both reach the FSM), or 0 if there is none.
func (n *Node) lastCommandIn(lo, hi uint64) (uint64, error) {
	var l raft.Log
	for i := hi; i >= lo && i > 0; i-- {
		if err := n.logCache.GetLog(i, &l); err != nil {
			if errors.Is(err, raft.ErrLogNotFound) {
				// Compacted into a snapshot, which the FSM already holds.
				return 0, nil
			}
			return 0, err
		}
		if l.Type == raft.LogCommand || l.Type == raft.LogConfiguration {
			return i, nil
		}
	}
	return 0, nil
}

// leaderConfirmer batches VerifyLeader calls: every caller waits for a round
// that started after it asked, and one round answers all who were waiting.
type leaderConfirmer struct {
	r       *raft.Raft
	rounds  atomic.Uint64 // VerifyLeader rounds started (tests)
	mu      sync.Mutex
	waiting []chan error
	kick    chan struct{}
}

func newLeaderConfirmer(r *raft.Raft) *leaderConfirmer {
	return &leaderConfirmer{r: r, kick: make(chan struct{}, 1)}
}

func (c *leaderConfirmer) confirm(ctx context.Context) error {
	ch := make(chan error, 1)
	c.mu.Lock()
	c.waiting = append(c.waiting, ch)
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return fmt.Errorf("confirm leadership: %w", ctx.Err())
	}
}

func (c *leaderConfirmer) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			c.mu.Lock()
			for _, ch := range c.waiting {
				ch <- raft.ErrRaftShutdown
			}
			c.waiting = nil
			c.mu.Unlock()
			return
		case <-c.kick:
		}
		c.mu.Lock()
		batch := c.waiting
		c.waiting = nil
		c.mu.Unlock()
		if len(batch) == 0 {
			continue
		}
		c.rounds.Add(1)
		err := c.r.VerifyLeader().Error()
		for _, ch := range batch {
			ch <- err
		}
	}
}
