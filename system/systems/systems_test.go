package systems

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/etcd"
)

func TestLookup(t *testing.T) {
	s, err := Lookup("", Source{})
	require.NoError(t, err)
	assert.Equal(t, "raftkv", s.Name())
	s, err = Lookup("etcd", Source{Image: "my/etcd:dev"})
	require.NoError(t, err)
	assert.Equal(t, etcd.System{Image: "my/etcd:dev"}, s)
	_, err = Lookup("etcd", Source{NodeSrc: "../other"})
	assert.ErrorContains(t, err, "--node-src builds raftkv")
	_, err = Lookup("raftkv", Source{NodeSrc: "a", Image: "b"})
	assert.ErrorContains(t, err, "exclusive")
	_, err = Lookup("zk", Source{})
	assert.ErrorContains(t, err, "unknown system")
	s, err = Lookup("etcd@v3.5.4+slow-wal", Source{})
	require.NoError(t, err)
	assert.Equal(t, etcd.System{Version: "v3.5.4", Variant: "slow-wal"}, s)
	_, err = Lookup("etcd@v9.9.9", Source{})
	assert.ErrorContains(t, err, "not built by the lab")
}

func TestFromEnv(t *testing.T) {
	t.Setenv(EnvSystem, "raftkv")
	t.Setenv(EnvImage, "my/kv:dev")
	s, err := FromEnv()
	require.NoError(t, err)
	assert.Equal(t, system.Raftkv{Image: "my/kv:dev"}, s)
}
