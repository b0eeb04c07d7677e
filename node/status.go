package node

import (
	"sort"
	"strconv"

	"github.com/raftlab/raftlab/api"
)

// Status reports this node's view of the cluster.
func (n *Node) Status() api.Status {
	leaderAddr, leaderID := n.raft.LeaderWithID()
	http, _ := n.fsm.Members()
	st := api.Status{
		ID:             n.cfg.ID,
		State:          n.raft.State().String(),
		Term:           n.raft.CurrentTerm(),
		LeaderID:       string(leaderID),
		LeaderRaftAddr: string(leaderAddr),
		LeaderHTTPAddr: http[string(leaderID)],
		CommitIndex:    n.raft.CommitIndex(),
		AppliedIndex:   n.fsm.Applied(),
		LastIndex:      n.raft.LastIndex(),
		Members:        []api.Member{},

		SnapshotsTaken:          n.fsm.snapshotsTaken.Load(),
		SnapshotsInstalled:      n.fsm.snapshotsInstalled.Load(),
		SnapshotRestoresAtStart: n.fsm.restoresAtStart.Load(),
		StateMachineRebuilds:    n.fsm.rebuilds.Load(),
	}
	stats := n.raft.Stats()
	st.LastSnapshotIndex, _ = strconv.ParseUint(stats["last_snapshot_index"], 10, 64)
	st.LastSnapshotTerm, _ = strconv.ParseUint(stats["last_snapshot_term"], 10, 64)
	if f := n.raft.GetConfiguration(); f.Error() == nil {
		for _, s := range f.Configuration().Servers {
			st.Members = append(st.Members, api.Member{
				ID: string(s.ID), RaftAddr: string(s.Address), HTTPAddr: http[string(s.ID)], Suffrage: s.Suffrage.String(),
			})
		}
	}
	sort.Slice(st.Members, func(i, j int) bool { return st.Members[i].ID < st.Members[j].ID })
	return st
}
