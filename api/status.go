package api

// Raft states as GET /status reports them in Status.State (hashicorp/raft's
// RaftState names, spelled here once so the lab need not link raft).
const (
	StateLeader    = "Leader"
	StateFollower  = "Follower"
	StateCandidate = "Candidate"
	StateShutdown  = "Shutdown"
)

// SuffrageVoter is Member.Suffrage of a voting member.
const SuffrageVoter = "Voter"

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
		if m.ID == id && m.Suffrage == SuffrageVoter {
			return true
		}
	}
	return false
}

// IsLeader reports whether the node believes it leads.
func (s Status) IsLeader() bool { return s.State == StateLeader }
