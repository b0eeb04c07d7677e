package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/raftlab/raftlab/api"

	"github.com/hashicorp/raft"

	"github.com/raftlab/raftlab/bugs"
)

func validateJoin(j api.JoinRequest) error {
	if j.ID == "" {
		return errors.New("join: id is required")
	}
	if err := advertisable(j.RaftAddr); err != nil {
		return fmt.Errorf("join: raft_addr: %w", err)
	}
	if _, _, err := net.SplitHostPort(j.HTTPAddr); err != nil {
		return fmt.Errorf("join: http_addr %q: %w", j.HTTPAddr, err)
	}
	return nil
}

// addVoter runs on the leader. Joining again with the same ID and address
// changes nothing; a new address for a known ID updates it; another server
// holding the same address is removed first (a wiped node coming back under
// a new ID).
func (n *Node) addVoter(ctx context.Context, j api.JoinRequest) *Error {
	f := n.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return classifyApplyErr(err)
	}
	present := false
	for _, s := range f.Configuration().Servers {
		sameID, sameAddr := s.ID == raft.ServerID(j.ID), s.Address == raft.ServerAddress(j.RaftAddr)
		switch {
		case sameID && sameAddr && s.Suffrage == raft.Voter:
			present = true
		case sameAddr && !sameID:
			if err := n.raft.RemoveServer(s.ID, 0, n.cfg.ApplyTimeout).Error(); err != nil {
				return classifyApplyErr(fmt.Errorf("remove %s holding %s: %w", s.ID, j.RaftAddr, err))
			}
			if e := n.applyCommand(ctx, command{Op: opRemoveMember, ID: string(s.ID)}); e != nil {
				return e
			}
		}
	}
	if !present {
		if err := n.raft.AddVoter(raft.ServerID(j.ID), raft.ServerAddress(j.RaftAddr), 0, n.cfg.ApplyTimeout).Error(); err != nil {
			return classifyApplyErr(fmt.Errorf("add voter %s: %w", j.ID, err))
		}
		n.logger.Info("added voter", "id", j.ID, "raft", j.RaftAddr)
	}
	if cur, _ := n.fsm.Members(); cur[j.ID] != j.HTTPAddr {
		return n.applyCommand(ctx, command{Op: opSetMember, ID: j.ID, HTTP: j.HTTPAddr})
	}
	return nil
}

// removeServer runs on the leader. An id that is not in the raft
// configuration is a 404: raft would accept the removal as a no-op, and a
// 200 would tell a caller with a typo that the member is gone.
func (n *Node) removeServer(ctx context.Context, id string) *Error {
	f := n.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return classifyApplyErr(err)
	}
	member := false
	for _, s := range f.Configuration().Servers {
		member = member || s.ID == raft.ServerID(id)
	}
	if !member {
		return &Error{Status: http.StatusNotFound, Applied: AppliedNo, Err: fmt.Errorf("no member %q", id)}
	}
	if err := n.raft.RemoveServer(raft.ServerID(id), 0, n.cfg.ApplyTimeout).Error(); err != nil {
		return classifyApplyErr(fmt.Errorf("remove %s: %w", id, err))
	}
	n.logger.Info("removed server", "id", id)
	if id == n.cfg.ID {
		// The leader removed itself and is stepping down; the next leader
		// keeps the stale record, which is harmless (no one forwards to a
		// non-member).
		return nil
	}
	return n.applyCommand(ctx, command{Op: opRemoveMember, ID: id})
}

// joinLoop asks the -join address to add this node until it succeeds. It is
// also run by a restarted member: re-joining with the same ID and address is
// a no-op, and it refreshes the HTTP address record.
func (n *Node) joinLoop(ctx context.Context) {
	c := api.NewClient(n.cfg.Join, api.WithTimeout(n.cfg.ApplyTimeout+3*time.Second))
	req := api.JoinRequest{ID: n.cfg.ID, RaftAddr: n.cfg.RaftAdvertise, HTTPAddr: n.cfg.HTTPAdvertise}
	backoff := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := c.Join(ctx, req)
		if err == nil {
			n.logger.Info("joined cluster", "via", n.cfg.Join, "attempts", attempt)
			return
		}
		n.logger.Debug("join failed, retrying", "via", n.cfg.Join, "err", err, "in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(backoff*2, time.Second)
	}
}

// registerSelfLoop makes sure the member record of this node (its HTTP
// address) is in the state machine whenever it leads; the bootstrap node has
// no one else to write it.
func (n *Node) registerSelfLoop(ctx context.Context) {
	obs := make(chan raft.Observation, 4)
	o := raft.NewObserver(obs, false, func(o *raft.Observation) bool {
		_, ok := o.Data.(raft.LeaderObservation)
		return ok
	})
	n.raft.RegisterObserver(o)
	defer n.raft.DeregisterObserver(o)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-obs:
		case <-tick.C:
		}
		if n.raft.State() != raft.Leader {
			continue
		}
		if cur, err := n.fsm.Members(); err == nil && cur[n.cfg.ID] == n.cfg.HTTPAdvertise {
			continue
		}
		actx, cancel := context.WithTimeout(ctx, n.cfg.ApplyTimeout)
		if e := n.applyCommand(actx, command{Op: opSetMember, ID: n.cfg.ID, HTTP: n.cfg.HTTPAdvertise}); e != nil {
			n.logger.Debug("recording own address failed", "err", e)
		}
		cancel()
	}
}

// applyCommand applies a command on this node, which must lead, and waits
// for the outcome or ctx.
func (n *Node) applyCommand(ctx context.Context, c command) *Error {
	_, e := n.apply(ctx, c)
	return e
}

func (n *Node) apply(ctx context.Context, c command) (interface{}, *Error) {
	resp, _, e := n.applyAt(ctx, c)
	return resp, e
}

// applyAt is apply that also returns the log index the entry was applied at
// (the write's evidence header; 0 when unknown).
func (n *Node) applyAt(ctx context.Context, c command) (interface{}, uint64, *Error) {
	if n.closing.Load() {
		return nil, 0, unavailable(ErrShuttingDown)
	}
	timeout := n.cfg.ApplyTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, timeUntil(dl))
	}
	f := n.raft.Apply(encodeCommand(c), timeout)
	if (c.Op == opSet || c.Op == opDelete) && n.bug(bugs.AckBeforeCommit) {
		// Planted bug (as etcd-io/etcd#14370, "Single node cluster can lose a
		// write on crash"): answered before a quorum stored the entry
		// (with no index: the future has not resolved).
		return nil, 0, nil
	}
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err := <-done:
		if err != nil {
			return nil, 0, classifyApplyErr(err)
		}
		return f.Response(), f.Index(), nil
	case <-ctx.Done():
		return nil, 0, classifyApplyErr(fmt.Errorf("apply: %w", ctx.Err()))
	}
}

func timeUntil(t time.Time) time.Duration {
	d := time.Until(t)
	if d < time.Millisecond {
		return time.Millisecond
	}
	return d
}
