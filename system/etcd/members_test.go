package etcd

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/cluster"
)

// memberGateway fakes etcd's member API over a member list it keeps, and
// counts the changes asked of it.
type memberGateway struct {
	mu      sync.Mutex
	members []member
	adds    int
	removes []string
}

func (g *memberGateway) serve(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		defer g.mu.Unlock()
		var req map[string]any
		_ = json.NewDecoder(r.Body).Decode(&req)
		switch r.URL.Path {
		case "/v3/cluster/member/list":
		case "/v3/cluster/member/add":
			g.adds++
			urls := []string{}
			for _, u := range req["peerURLs"].([]any) {
				urls = append(urls, u.(string))
			}
			g.members = append(g.members, member{ID: "99", PeerURLs: urls})
		case "/v3/cluster/member/remove":
			id := req["ID"].(string)
			g.removes = append(g.removes, id)
			for i, m := range g.members {
				if m.ID == id {
					g.members = append(g.members[:i:i], g.members[i+1:]...)
					break
				}
			}
		default:
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"members": g.members})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestMemberAPI: an add announces the node once (a retried add finds it
// there) and returns the configuration with the new member named by the
// lab's id; a remove finds the member by its peer URL, and a retried one
// is done.
func TestMemberAPI(t *testing.T) {
	g := &memberGateway{members: []member{
		{ID: "11", Name: "n1", PeerURLs: []string{"http://10.0.0.11:2380"}},
		{ID: "22", Name: "n2", PeerURLs: []string{"http://10.0.0.12:2380"}},
		{ID: "33", Name: "", PeerURLs: []string{"http://10.0.0.13:2380"}},
	}}
	ep := g.serve(t)
	n4 := cluster.NodeSpec{ID: "n4", HTTPAddr: "10.0.0.14:8080", RaftAddr: "10.0.0.14:2380"}
	var s Store
	for range 2 {
		conf, err := s.AddMember(t.Context(), ep, n4)
		require.NoError(t, err)
		assert.Equal(t, []cluster.NodeSpec{
			{ID: "n1", RaftAddr: "10.0.0.11:2380"},
			{ID: "n2", RaftAddr: "10.0.0.12:2380"},
			{ID: "m33", RaftAddr: "10.0.0.13:2380"},
			{ID: "n4", RaftAddr: "10.0.0.14:2380"},
		}, conf)
	}
	assert.Equal(t, 1, g.adds, "a retried add does not add twice")

	n2 := cluster.NodeSpec{ID: "n2", RaftAddr: "10.0.0.12:2380"}
	require.NoError(t, s.RemoveMember(t.Context(), ep, n2))
	require.NoError(t, s.RemoveMember(t.Context(), ep, n2))
	assert.Equal(t, []string{"22"}, g.removes, "a retried remove finds nothing to remove")

	// The joining member's command line names the configuration and
	// "existing"; a member of the first cluster says "new".
	args := s.Args(n4, []cluster.NodeSpec{{ID: "n1", RaftAddr: "10.0.0.11:2380"}, {ID: "n4", RaftAddr: "10.0.0.14:2380"}}, "10.0.0.11:8080")
	assert.Contains(t, args, "n1=http://10.0.0.11:2380,n4=http://10.0.0.14:2380")
	assert.Contains(t, args, "existing")
	assert.Contains(t, s.Args(n4, nil, ""), "new")
}
