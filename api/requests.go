package api

// CASRequest is the body of POST /cas.
type CASRequest struct {
	Key    string `json:"key"`
	Expect string `json:"expect"`
	Value  string `json:"value"`
}

// JoinRequest is the body of POST /join: it asks the leader to add a voter.
type JoinRequest struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raft_addr"`
	HTTPAddr string `json:"http_addr"`
}
