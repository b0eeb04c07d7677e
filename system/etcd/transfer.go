package etcd

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// TransferLeader implements chaos.LeaderTransferer with etcd's MoveLeader
// (POST /v3/maintenance/transfer-leadership), which only the leader
// accepts: the request goes to via when it leads, else to the leader via
// names. to "" hands leadership to the first other voter. etcd answers once
// the target leads (or the transfer timed out), so the new leader returned
// is to.
func (c Cluster) TransferLeader(ctx context.Context, via, to string) (string, error) {
	if c.nodes == nil {
		return "", errors.New("etcd: transfer leader: no cluster")
	}
	cl, err := c.member(ctx, via)
	if err != nil {
		return "", err
	}
	st, err := cl.Status(ctx)
	if err != nil {
		return "", fmt.Errorf("etcd: transfer leader: %s: %w", via, err)
	}
	leader := st.ID
	if !st.IsLeader() {
		if st.LeaderID == "" {
			return "", fmt.Errorf("etcd: transfer leader: %s knows no leader", via)
		}
		leader = st.LeaderID
		if cl, err = c.member(ctx, leader); err != nil {
			return "", err
		}
	}
	ms, err := cl.Members(ctx)
	if err != nil {
		return "", fmt.Errorf("etcd: transfer leader: %w", err)
	}
	target := ""
	for _, m := range ms {
		if m.Name != "" && m.Name != leader && !m.IsLearner && (to == "" || m.Name == to) {
			target, to = m.ID, m.Name
			break
		}
	}
	if target == "" {
		return "", fmt.Errorf("etcd: transfer leader: no voter %q besides the leader %s", to, leader)
	}
	var res struct{}
	if err := cl.call(ctx, "/v3/maintenance/transfer-leadership", map[string]any{"targetID": target}, &res); err != nil {
		return "", fmt.Errorf("etcd: transfer leader %s -> %s: %w", leader, to, err)
	}
	return to, nil
}

// member is a client of node id's member, for the lab's own calls.
func (c Cluster) member(ctx context.Context, id string) (*Client, error) {
	n := c.nodes.Node(id)
	if n == nil {
		return nil, fmt.Errorf("etcd: no node %s", id)
	}
	ep, err := n.Endpoint(ctx)
	if err != nil {
		return nil, err
	}
	// MoveLeader answers once the target leads, which takes up to an
	// election timeout after the target has caught up.
	return NewClient(ep, adminHTTP, 10*time.Second), nil
}
