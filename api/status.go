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

	// Snapshot counters, since the node process started.
	// SnapshotsTaken: snapshots this node wrote (raft's threshold or interval).
	SnapshotsTaken uint64 `json:"snapshots_taken"`
	// SnapshotsInstalled: snapshots the leader sent (InstallSnapshot) that
	// replaced this node's state machine.
	SnapshotsInstalled uint64 `json:"snapshots_installed"`
	// SnapshotRestoresAtStart: local snapshots restored at start because the
	// state machine was behind them.
	SnapshotRestoresAtStart uint64 `json:"snapshot_restores_at_start"`
	// StateMachineRebuilds: state machines dropped at start because they were
	// ahead of the raft log (its tail lost), then rebuilt from snapshot and log.
	StateMachineRebuilds uint64 `json:"state_machine_rebuilds"`
	// LastSnapshotIndex and LastSnapshotTerm: the newest snapshot this node
	// holds, taken or installed (0 when none).
	LastSnapshotIndex uint64 `json:"last_snapshot_index"`
	LastSnapshotTerm  uint64 `json:"last_snapshot_term"`
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
