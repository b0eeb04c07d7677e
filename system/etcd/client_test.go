package etcd

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

func enc(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// gateway fakes etcd's JSON gateway: answers by path, or an error status.
func gateway(t *testing.T, answers map[string]any, status int) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status != http.StatusOK {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":"etcdserver: request timed out","code":14,"message":"etcdserver: request timed out"}`))
			return
		}
		a, ok := answers[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_ = json.NewEncoder(w).Encode(a)
	}))
	t.Cleanup(srv.Close)
	return NewClient(srv.URL, nil, 0)
}

// TestOutcomes: a failed write is unknown, a failed read is fail, a refused
// connection proves nothing was sent (fail), a cas that found another value
// reports it.
func TestOutcomes(t *testing.T) {
	ctx := t.Context()
	down := gateway(t, nil, http.StatusServiceUnavailable)
	assert.Equal(t, api.Unknown, down.Set(ctx, "k", "v").Outcome, "a write the member failed may still be applied")
	assert.Equal(t, api.Unknown, down.Delete(ctx, "k").Outcome)
	assert.Equal(t, api.Unknown, down.CAS(ctx, "k", "a", "b").Outcome)
	r := down.Get(ctx, "k", api.ReadLinearizable)
	assert.Equal(t, api.Fail, r.Outcome, "a read has no effect")
	assert.Equal(t, http.StatusServiceUnavailable, r.Status)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now: connections are refused
	refused := NewClient("http://"+addr, nil, 0)
	assert.Equal(t, api.Fail, refused.Set(ctx, "k", "v").Outcome, "a refused connection sent nothing")

	hdr := map[string]string{"revision": "42", "member_id": "7"}
	up := gateway(t, map[string]any{
		"/v3/kv/put":   map[string]any{"header": hdr},
		"/v3/kv/range": map[string]any{"header": hdr, "kvs": []any{map[string]string{"key": enc("k"), "value": enc("v1")}}},
		"/v3/kv/txn": map[string]any{"header": hdr, "succeeded": false, "responses": []any{
			map[string]any{"response_range": map[string]any{"kvs": []any{map[string]string{"value": enc("other")}}}}}},
	}, http.StatusOK)
	set := up.SetReply(ctx, "k", "v1")
	assert.Equal(t, api.OK, set.Outcome)
	assert.Equal(t, int64(42), set.Revision)
	assert.Equal(t, "7", set.Member)
	got := up.GetReply(ctx, "k", api.ReadStale)
	require.NotNil(t, got.Value)
	assert.Equal(t, "v1", *got.Value)
	cas := up.CAS(ctx, "k", "v1", "v2")
	assert.Equal(t, api.Fail, cas.Outcome)
	assert.True(t, cas.Mismatch)
	require.NotNil(t, cas.Value)
	assert.Equal(t, "other", *cas.Value)
}

// TestStatus maps etcd's member ids to the lab's node names.
func TestStatus(t *testing.T) {
	c := gateway(t, map[string]any{
		"/v3/maintenance/status": map[string]any{"header": map[string]string{"member_id": "11"}, "leader": "22", "raftTerm": "3", "raftIndex": "9", "raftAppliedIndex": "9"},
		"/v3/cluster/member/list": map[string]any{"members": []any{
			map[string]any{"ID": "11", "name": "n1"}, map[string]any{"ID": "22", "name": "n2"}, map[string]any{"ID": "33", "name": "n3", "isLearner": true}}},
	}, http.StatusOK)
	st, err := c.Status(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "n1", st.ID)
	assert.Equal(t, "n2", st.LeaderID)
	assert.False(t, st.IsLeader())
	assert.Equal(t, uint64(3), st.Term)
	assert.True(t, st.IsVoter("n2"))
	assert.False(t, st.IsVoter("n3"), "a learner does not vote")
	assert.NoError(t, c.Ready(t.Context()))
}
