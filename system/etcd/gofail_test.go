package etcd

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrepareGofail rewrites etcd v3.5.4's server source with gofail into
// a scratch tree (no etcd compile: seconds with a warm module cache; the
// module proxy otherwise) and checks the failpoint the slow-wal variant
// arms exists, and that a second call keeps the copy.
func TestPrepareGofail(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the module cache or proxy")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r, err := LookupRelease("v3.5.4")
	require.NoError(t, err)
	root := t.TempDir()
	modDir := filepath.Join(root, filepath.FromSlash(r.Module))
	require.NoError(t, os.MkdirAll(modDir, 0o755))
	require.NoError(t, prepareGofail(ctx, root, r))
	gen, err := os.ReadFile(filepath.Join(modDir, gofailDir, "etcdserver", "raft.fail.go"))
	require.NoError(t, err)
	assert.Contains(t, string(gen), `runtime.NewFailpoint("raftBeforeSave")`)
	stamp := filepath.Join(modDir, gofailDir, gofailStamp)
	before, err := os.Stat(stamp)
	require.NoError(t, err)
	require.NoError(t, prepareGofail(ctx, root, r))
	after, err := os.Stat(stamp)
	require.NoError(t, err)
	assert.Equal(t, before.ModTime(), after.ModTime(), "a prepared copy is kept")
	left, err := filepath.Glob(filepath.Join(modDir, ".gofail-src-*"))
	require.NoError(t, err)
	assert.Empty(t, left, "no temporary copy is left behind")
}
