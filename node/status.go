package node

import (
	"sort"

	"github.com/hashicorp/raft"
)

// Status is the answer of GET /status.
type Status struct {
	ID             string   `json:"id"`
	State          string   `json:"state"`
	Term           uint64   `json:"term"`
	LeaderID       string   `json:"leader_id"`
	LeaderRaftAddr string   `json:"leader_raft_addr"`
	LeaderHTTPAddr string   `json:"leader_http_addr"`
	CommitIndex    uint64   `json:"commit_index"`
	AppliedIndex   uint64   `json:"applied_index"`
	LastIndex      uint64   `json:"last_index"`
	Members        []Member `json:"members"`
}

// Member is one server of the latest raft configuration.
type Member struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raft_addr"`
	HTTPAddr string `json:"http_addr"`
	Suffrage string `json:"suffrage"`
}

// IsVoter reports whether id is a voter in s.Members.
func (s Status) IsVoter(id string) bool {
	for _, m := range s.Members {
		if m.ID == id && m.Suffrage == raft.Voter.String() {
			return true
		}
	}
	return false
}

// Status reports this node's view of the cluster.
func (n *Node) Status() Status {
	leaderAddr, leaderID := n.raft.LeaderWithID()
	http, _ := n.fsm.Members()
	st := Status{
		ID:             n.cfg.ID,
		State:          n.raft.State().String(),
		Term:           n.raft.CurrentTerm(),
		LeaderID:       string(leaderID),
		LeaderRaftAddr: string(leaderAddr),
		LeaderHTTPAddr: http[string(leaderID)],
		CommitIndex:    n.raft.CommitIndex(),
		AppliedIndex:   n.fsm.Applied(),
		LastIndex:      n.raft.LastIndex(),
		Members:        []Member{},
	}
	if f := n.raft.GetConfiguration(); f.Error() == nil {
		for _, s := range f.Configuration().Servers {
			st.Members = append(st.Members, Member{
				ID: string(s.ID), RaftAddr: string(s.Address), HTTPAddr: http[string(s.ID)], Suffrage: s.Suffrage.String(),
			})
		}
	}
	sort.Slice(st.Members, func(i, j int) bool { return st.Members[i].ID < st.Members[j].ID })
	return st
}
