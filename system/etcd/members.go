package etcd

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/raftlab/raftlab/cluster"
)

// Membership through etcd's own API (cluster.MemberAPI): MemberAdd
// announces a member before it starts, MemberRemove burns its id. A member
// is known to the lab by its peer URL, which the lab's node keeps across
// replacements (same id, same address), so both calls can be retried: an
// add finds a member with that URL already there, a remove finds none.

func peerURL(n cluster.NodeSpec) string { return "http://" + n.RaftAddr }

// memberByPeer returns the member whose peer URLs hold u.
func memberByPeer(ms []member, u string) (member, bool) {
	for _, m := range ms {
		if slices.Contains(m.PeerURLs, u) {
			return m, true
		}
	}
	return member{}, false
}

// AddMember implements cluster.MemberAPI: it adds n as a voter through the
// member at endpoint (unless a member with n's peer URL is there already)
// and returns the configuration, n among it, as n's --initial-cluster.
func (s Store) AddMember(ctx context.Context, endpoint string, n cluster.NodeSpec) ([]cluster.NodeSpec, error) {
	c := NewClient(endpoint, adminHTTP, 0)
	ms, err := c.Members(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := memberByPeer(ms, peerURL(n)); !ok {
		var res struct {
			Members []member `json:"members"`
		}
		if err := c.call(ctx, "/v3/cluster/member/add", map[string]any{"peerURLs": []string{peerURL(n)}}, &res); err != nil {
			return nil, fmt.Errorf("etcd: add member %s: %w", n.ID, err)
		}
		ms = res.Members
	}
	return configuration(ms, n)
}

// configuration turns etcd's member list into node specs: a started
// member by its name, n (not started yet, so nameless) by its id, any
// other member that has not started by its member id.
func configuration(ms []member, n cluster.NodeSpec) ([]cluster.NodeSpec, error) {
	var out []cluster.NodeSpec
	for _, m := range ms {
		if len(m.PeerURLs) == 0 {
			return nil, fmt.Errorf("etcd: member %s has no peer URL", m.ID)
		}
		u, err := url.Parse(m.PeerURLs[0])
		if err != nil {
			return nil, fmt.Errorf("etcd: member %s: peer URL: %w", m.ID, err)
		}
		spec := cluster.NodeSpec{ID: m.Name, RaftAddr: u.Host}
		switch {
		case slices.Contains(m.PeerURLs, peerURL(n)):
			spec.ID = n.ID
		case spec.ID == "":
			spec.ID = "m" + m.ID
		}
		out = append(out, spec)
	}
	if !slices.ContainsFunc(out, func(s cluster.NodeSpec) bool { return s.ID == n.ID }) {
		return nil, fmt.Errorf("etcd: %s is not in the member list after its add", n.ID)
	}
	return out, nil
}

// RemoveMember implements cluster.MemberAPI: it removes the member with
// n's peer URL through the member at endpoint; none there is done.
func (s Store) RemoveMember(ctx context.Context, endpoint string, n cluster.NodeSpec) error {
	c := NewClient(endpoint, adminHTTP, 0)
	ms, err := c.Members(ctx)
	if err != nil {
		return err
	}
	m, ok := memberByPeer(ms, peerURL(n))
	if !ok {
		return nil
	}
	var res struct{}
	if err := c.call(ctx, "/v3/cluster/member/remove", map[string]any{"ID": m.ID}, &res); err != nil {
		return fmt.Errorf("etcd: remove member %s (%s): %w", n.ID, m.ID, err)
	}
	return nil
}

var _ cluster.MemberAPI = Store{}
