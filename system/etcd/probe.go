package etcd

import (
	"context"
	"errors"
	"fmt"

	"github.com/raftlab/raftlab/api"
)

// member is one entry of etcd's member list.
type member struct {
	ID        string   `json:"ID"`
	Name      string   `json:"name"`
	PeerURLs  []string `json:"peerURLs"`
	IsLearner bool     `json:"isLearner"`
}

// Members returns the member list as this member sees it (etcd's
// MemberList, not linearizable: it answers without a quorum).
func (c *Client) Members(ctx context.Context) ([]member, error) {
	var res struct {
		Members []member `json:"members"`
	}
	if err := c.call(ctx, "/v3/cluster/member/list", map[string]any{}, &res); err != nil {
		return nil, err
	}
	return res.Members, nil
}

// Status is this member's maintenance status in the lab's vocabulary
// (api.Status): node ids are etcd member names (n1, n2, ...), the state is
// Leader when the member names itself leader, and the indexes are raft's.
// etcd has no snapshot counters the lab reads; they stay zero.
func (c *Client) Status(ctx context.Context) (api.Status, error) {
	var st struct {
		Header           header `json:"header"`
		Leader           string `json:"leader"`
		RaftIndex        string `json:"raftIndex"`
		RaftTerm         string `json:"raftTerm"`
		RaftAppliedIndex string `json:"raftAppliedIndex"`
		IsLearner        bool   `json:"isLearner"`
	}
	if err := c.call(ctx, "/v3/maintenance/status", map[string]any{}, &st); err != nil {
		return api.Status{}, err
	}
	ms, err := c.Members(ctx)
	if err != nil {
		return api.Status{}, err
	}
	names := map[string]string{}
	out := api.Status{
		Term:         uint64(atoi(st.RaftTerm)),
		CommitIndex:  uint64(atoi(st.RaftIndex)),
		AppliedIndex: uint64(atoi(st.RaftAppliedIndex)),
		LastIndex:    uint64(atoi(st.RaftIndex)),
		State:        api.StateFollower,
	}
	for _, m := range ms {
		names[m.ID] = m.Name
		suffrage := api.SuffrageVoter
		if m.IsLearner {
			suffrage = "Nonvoter"
		}
		peer := ""
		if len(m.PeerURLs) > 0 {
			peer = m.PeerURLs[0]
		}
		out.Members = append(out.Members, api.Member{ID: m.Name, RaftAddr: peer, Suffrage: suffrage})
	}
	out.ID = names[st.Header.MemberID]
	if out.ID == "" {
		return api.Status{}, fmt.Errorf("etcd: member %s is not in its own member list", st.Header.MemberID)
	}
	if st.Leader != "" && st.Leader != "0" {
		out.LeaderID = names[st.Leader]
		if st.Leader == st.Header.MemberID {
			out.State = api.StateLeader
		}
	}
	return out, nil
}

// Ready returns nil when the member knows a leader and is a voter.
func (c *Client) Ready(ctx context.Context) error {
	st, err := c.Status(ctx)
	if err != nil {
		return err
	}
	if st.LeaderID == "" {
		return errors.New("etcd: no leader known")
	}
	if !st.IsVoter(st.ID) {
		return errors.New("etcd: not a voting member")
	}
	return nil
}

var _ api.Probe = (*Client)(nil)
