package cluster

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/internal/srctree"
)

func TestNodeSrcAndImageAreExclusive(t *testing.T) {
	_, err := Start(context.Background(), Options{NodeSrc: ".", Image: "x"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Options.Image and Options.NodeSrc are exclusive")
}

func TestNodeSrcMustBeACheckout(t *testing.T) {
	dir := t.TempDir()
	err := CheckNodeSrc(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has no cmd/raftkv")
	assert.ErrorContains(t, CheckNodeSrc(dir+"/nope"), "not a directory")
	assert.NoError(t, CheckNodeSrc(".."))
}

// The system under test is a parameter: a copy of this tree whose /health
// answers differently is built and run through Options.NodeSrc, then its
// image is run through Options.Image; the holders keep this tree's image.
func TestNodeFromAnotherTree(t *testing.T) {
	needDocker(t)
	ctx := ctxFor(t, 5*time.Minute)
	root, err := ModuleRoot(ctx)
	require.NoError(t, err)
	src := srctree.Copy(t, root)
	srctree.Replace(t, src, "node/http.go", `map[string]string{"status": "ok"}`, `map[string]string{"status": "ok, from the copy"}`)

	lab, err := EnsureImage(ctx)
	require.NoError(t, err)
	t0 := time.Now()
	img, err := NodeImage(ctx, src)
	require.NoError(t, err)
	t.Logf("node image of the copy %s built in %v", img, time.Since(t0).Round(time.Millisecond))
	require.NotEqual(t, lab, img)

	for name, o := range map[string]Options{"node-src": {NodeSrc: src}, "image": {Image: img}} {
		o.Nodes = 1
		o.LogDir = logRoot + "/nodesrc-" + name
		t0 := time.Now()
		c := startCluster(t, o.FastRaft())
		t.Logf("%s: one-node cluster ready in %v", name, time.Since(t0).Round(time.Millisecond))
		assert.Equal(t, img, c.Image(), name)
		assert.Equal(t, lab, c.labImage, "%s: holders run this tree's netfault", name)
		ep, err := c.Nodes()[0].Endpoint(ctx)
		require.NoError(t, err)
		resp, err := http.Get(ep + "/health")
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Contains(t, string(body), "ok, from the copy", name)
	}
}

func TestImageMustBePresent(t *testing.T) {
	needDocker(t)
	_, err := Start(ctxFor(t, time.Minute), Options{Image: "raftlab/no-such-image:none", Nodes: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "raftlab/no-such-image:none is not present locally")
}
