//go:build !failpoints

package node

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/failpoint"
)

// An ordinary build has no failpoint endpoint and refuses -failpoints.
func TestNoFailpointsWithoutTheTag(t *testing.T) {
	require.False(t, failpoint.Enabled)
	_, err := Start(Config{ID: "x", HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0", DataDir: t.TempDir(), RaftDir: t.TempDir(),
		Failpoints: "bug-read-no-quorum=on"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "built without failpoints")

	nd := startNodes(t, 1)[0]
	for _, m := range []string{http.MethodGet, http.MethodPut} {
		code, _ := doReq(t, m, "http://"+nd.HTTPAddr()+"/failpoints/bug-read-no-quorum", "on")
		assert.Equal(t, http.StatusNotFound, code, m)
	}
	code, _ := doReq(t, http.MethodGet, "http://"+nd.HTTPAddr()+"/failpoints", "")
	assert.Equal(t, http.StatusNotFound, code)
	r := api.NewClient(nd.HTTPAddr()).Get(context.Background(), "x", api.ReadLinearizable)
	assert.Equal(t, api.OK, r.Outcome, "%v", r.Err)
}
