package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientOutcomeMapping(t *testing.T) {
	cases := []struct {
		status int
		body   string
		want   Outcome
	}{
		{400, `{"error":"bad"}`, Fail},
		{413, `{"error":"big"}`, Fail},
		{503, `{"error":"no leader","applied":false}`, Fail},
		{503, `{"error":"?"}`, Unknown},
		{500, `{"error":"lost","applied":"unknown"}`, Unknown},
		{504, `{"error":"timeout","applied":"unknown"}`, Unknown},
		{502, `garbage`, Unknown},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, errorResult(c.status, []byte(c.body)).Outcome, "%d %s", c.status, c.body)
	}
	// Nothing listens: the request was never sent, a definite failure.
	r := NewClient("127.0.0.1:1").Set(context.Background(), "k", "v")
	assert.Equal(t, Fail, r.Outcome, "%v", r.Err)
}

func TestClientReadsEvidenceHeaders(t *testing.T) {
	cases := []struct {
		name, index, incarnation string
		wantIndex                int64
		wantInc                  string
	}{
		{"both", "42", "a1b2", 42, "a1b2"},
		{"absent", "", "", 0, ""},
		{"incarnation only", "", "a1b2", 0, "a1b2"},
		{"malformed index is no evidence", "4x2", "a1b2", 0, ""},
		{"negative index is no evidence", "-3", "a1b2", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if c.index != "" {
					w.Header().Set(HeaderIndex, c.index)
				}
				if c.incarnation != "" {
					w.Header().Set(HeaderIncarnation, c.incarnation)
				}
				switch {
				case r.Method == http.MethodGet:
					_, _ = w.Write([]byte(`{"k":"v"}`))
				case r.URL.Path == "/cas":
					w.WriteHeader(http.StatusConflict)
					_, _ = w.Write([]byte(`{"error":"cas mismatch","current":"x"}`))
				default:
					_, _ = w.Write([]byte(`{}`))
				}
			}))
			defer srv.Close()
			cl := NewClient(srv.URL)
			ctx := context.Background()
			for op, r := range map[string]Result{
				"get": cl.Get(ctx, "k", ReadStale), "set": cl.Set(ctx, "k", "v"),
				"delete": cl.Delete(ctx, "k"), "cas 409": cl.CAS(ctx, "k", "a", "b"),
			} {
				require.NotEqual(t, Unknown, r.Outcome, "%s: %v", op, r.Err)
				assert.Equal(t, c.wantIndex, r.Index, op)
				assert.Equal(t, c.wantInc, r.Incarnation, op)
			}
		})
	}
}
