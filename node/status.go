package node

import (
	"sort"

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
	}
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
