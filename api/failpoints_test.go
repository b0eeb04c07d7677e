package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeFailpoints serves /failpoints the way the failpoint build does: a
// JSON list, PUT arms (404 JSON for an unknown name, 400 JSON for a bad term).
func fakeFailpoints(t *testing.T) *httptest.Server {
	var mu sync.Mutex
	terms := map[string]string{"fsm-before-commit": "off", "snapshot-persist": "off"}
	mux := http.NewServeMux()
	mux.HandleFunc("/failpoints", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var list []map[string]any
		for _, n := range []string{"fsm-before-commit", "snapshot-persist"} {
			list = append(list, map[string]any{"name": n, "description": "d", "term": terms[n], "hits": 0})
		}
		_ = json.NewEncoder(w).Encode(list)
	})
	mux.HandleFunc("/failpoints/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		name := strings.TrimPrefix(r.URL.Path, "/failpoints/")
		b, _ := io.ReadAll(r.Body)
		switch {
		case r.Method != http.MethodPut:
			w.WriteHeader(http.StatusMethodNotAllowed)
		case terms[name] == "":
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"failpoint: unknown point \"` + name + `\""}`))
		case string(b) == "bogus":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"failpoint: bad term \"bogus\""}`))
		default:
			terms[name] = string(b)
			_, _ = w.Write([]byte(`{}`))
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestClientFailpoints(t *testing.T) {
	ctx := context.Background()
	c := NewClient(fakeFailpoints(t).URL)

	require.NoError(t, c.SetFailpoint(ctx, "fsm-before-commit", "1*panic"))
	got, err := c.Failpoints(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"fsm-before-commit": "1*panic", "snapshot-persist": "off"}, got)

	err = c.SetFailpoint(ctx, "no-such-point", "on")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrNoFailpoints, "an unknown point is not a missing endpoint")
	assert.Contains(t, err.Error(), "unknown point")

	err = c.SetFailpoint(ctx, "fsm-before-commit", "bogus")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "http 400")
}

// An ordinary build has no /failpoints route: the router's plain 404.
func TestClientFailpointsWithoutTheBuild(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	c := NewClient(srv.URL)
	ctx := context.Background()

	_, err := c.Failpoints(ctx)
	assert.ErrorIs(t, err, ErrNoFailpoints)
	err = c.SetFailpoint(ctx, "fsm-before-commit", "panic")
	assert.ErrorIs(t, err, ErrNoFailpoints)
	assert.Contains(t, err.Error(), "fsm-before-commit=panic")
}
