package cluster

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSourceRoot: the tree is found from any directory (the binary's own
// source paths), $RAFTLAB_SRC wins, and a wrong one is named.
func TestSourceRoot(t *testing.T) {
	ctx := context.Background()
	here, err := SourceRoot(ctx)
	require.NoError(t, err)
	assert.True(t, isRaftlab(here))

	if _, file, _, _ := runtime.Caller(0); !filepath.IsAbs(file) {
		t.Skip("built with -trimpath: no source paths to find the tree by")
	}
	t.Chdir(t.TempDir()) // no module around: found from this binary's sources
	got, err := SourceRoot(ctx)
	require.NoError(t, err)
	assert.Equal(t, here, got)

	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/mine\n"), 0o644))
	t.Chdir(other) // a user's own module: not taken for raftlab
	got, err = SourceRoot(ctx)
	require.NoError(t, err)
	assert.Equal(t, here, got)

	t.Setenv(EnvSource, other)
	_, err = SourceRoot(ctx)
	assert.ErrorContains(t, err, EnvSource)
	t.Setenv(EnvSource, here)
	got, err = SourceRoot(ctx)
	require.NoError(t, err)
	assert.Equal(t, here, got)
}
