package cluster

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/failpoint"
	"github.com/raftlab/raftlab/fault"
)

// The node image is the failpoint build: -failpoints arms points at start and
// GET /failpoints lists them.
func TestImageHasFailpoints(t *testing.T) {
	o := testOptions("failpoints")
	o.Nodes = 1
	o.MemoryBytes = 256 << 20
	o.ExtraArgs = []string{"-failpoints=" + bugs.ReadNoQuorum + "=on;" + fault.PointFSMBeforeCommit + "=sleep(1ms)"}
	c := startCluster(t, o)
	ctx := ctxFor(t, time.Minute)
	ep, err := c.Nodes()[0].Endpoint(ctx)
	require.NoError(t, err)
	resp, err := http.Get(ep + "/failpoints")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var list []failpoint.State
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	armed := map[string]string{}
	for _, s := range list {
		armed[s.Name] = s.Term
	}
	assert.Equal(t, "on", armed[bugs.ReadNoQuorum])
	assert.Equal(t, "sleep(1ms)", armed[fault.PointFSMBeforeCommit])
}
