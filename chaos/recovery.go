package chaos

import (
	"context"
	"sync"
	"time"

	"github.com/raftlab/raftlab/api"
)

// The recovery figures of a fault window (Window.TermBefore, TermAfter,
// FullStrength): how many elections the fault cost and how long after its
// heal the cluster was whole again. They are measured by asking every node
// for /status, which the lab's own traffic does without being cut.

// statusAll asks every node for /status at once; a node that does not
// answer within a second is nil.
func statusAll(ctx context.Context, c Cluster) map[string]*api.Status {
	ids := c.NodeIDs()
	out := make(map[string]*api.Status, len(ids))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sctx, cancel := context.WithTimeout(ctx, time.Second)
			st, err := c.NodeStatus(sctx, id)
			cancel()
			mu.Lock()
			if err != nil {
				st = nil
			}
			out[id] = st
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// maxTerm is the highest raft term any node reports (0: none answered).
func maxTerm(sts map[string]*api.Status) uint64 {
	var t uint64
	for _, st := range sts {
		if st != nil {
			t = max(t, st.Term)
		}
	}
	return t
}

// fullStrength reports whether every node answered, all name the same
// leader, that leader says it leads, and every node has applied what the
// leader had committed at target (0: the leader's commit index in this
// round). It returns the leader's commit index, to be caught up to.
func fullStrength(sts map[string]*api.Status, target uint64) (bool, uint64) {
	leader := ""
	for _, st := range sts {
		if st == nil || st.LeaderID == "" || (leader != "" && st.LeaderID != leader) {
			return false, 0
		}
		leader = st.LeaderID
	}
	ls := sts[leader]
	if ls == nil || ls.State != api.StateLeader {
		return false, 0
	}
	if target == 0 {
		target = ls.CommitIndex
	}
	for _, st := range sts {
		if st.AppliedIndex < target {
			return false, target
		}
	}
	return true, target
}

// recoveryPoll is how often the cluster is asked after a heal.
const recoveryPoll = 100 * time.Millisecond

// waitFullStrength polls the cluster after a heal until it is at full
// strength (fullStrength) or until is reached; it returns the recorder time
// when full strength was first seen (0: not before until) and the highest
// term seen last.
func waitFullStrength(ctx context.Context, c Cluster, rec Recorder, until time.Time) (at int64, term uint64) {
	ctx, cancel := context.WithDeadline(ctx, until)
	defer cancel()
	var target uint64
	tick := time.NewTicker(recoveryPoll)
	defer tick.Stop()
	for {
		sts := statusAll(ctx, c)
		if ctx.Err() != nil {
			return 0, term
		}
		term = max(term, maxTerm(sts))
		ok, t := fullStrength(sts, target)
		if ok {
			return rec.Now(), term
		}
		target = t
		select {
		case <-ctx.Done():
			return 0, term
		case <-tick.C:
		}
	}
}
