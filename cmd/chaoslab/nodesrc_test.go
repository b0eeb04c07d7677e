package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/raftlab/raftlab/cluster"
	"github.com/raftlab/raftlab/internal/srctree"
	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/report"
)

// chaoslab run --node-src tests another checkout's store: a copy of this
// tree in which acknowledged deletes are lost (a bug a branch under review
// could carry) is caught as not linearizable, exit 1, and the summary names
// the tree and the image that ran.
func TestRunNodeSrcCatchesABugInAnotherTree(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker; skipped with -short")
	}
	// What chaoslab's main does for the process (see main.go).
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	tclog.SetDefault(tclog.NewNoopLogger())
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	require.NoError(t, cluster.CheckDocker(ctx))
	root, err := cluster.ModuleRoot(ctx)
	require.NoError(t, err)
	src := srctree.Copy(t, root)
	srctree.Replace(t, src, "node/fsm.go", "return nil, txn.Delete(dataKey(c.Key))", "return nil, nil // planted: deletes are lost")

	out := filepath.Join(t.TempDir(), "run")
	t0 := time.Now()
	code, stdout, stderr := cli("run", "--scenario", "kill-leader", "--duration", "6s", "--seed", "7",
		"--node-src", src, "--out", out, "--json")
	t.Logf("run took %v", time.Since(t0).Round(time.Millisecond))
	require.Equal(t, exitNotLinear, code, "stderr:\n%s", stderr)
	assert.Contains(t, stderr, "the store under test is built from "+src)
	var sum report.Summary
	require.NoError(t, json.Unmarshal([]byte(stdout), &sum), stdout)
	assert.Equal(t, linearizability.NotLinearizable, sum.Verdict)
	assert.Equal(t, src, sum.NodeSrc)
	assert.NotEmpty(t, sum.NodeImage)
	lab, err := cluster.EnsureImage(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, lab, sum.NodeImage, "the nodes ran the copy, not this tree")
}
