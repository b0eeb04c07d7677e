package etcd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/cluster"
)

func TestParseName(t *testing.T) {
	for name, want := range map[string]System{
		"etcd":                 {},
		"etcd@" + Version:      {},
		"etcd@v3.5.4":          {Version: "v3.5.4"},
		"etcd@v3.5.5+slow-wal": {Version: "v3.5.5", Variant: "slow-wal"},
		"etcd@v3.5.4+slow-wal": {Version: "v3.5.4", Variant: "slow-wal"},
	} {
		got, err := ParseName(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
		if name != "etcd@"+Version {
			assert.Equal(t, name, got.Name(), "the name reads back")
		}
	}
	for name, msg := range map[string]string{
		"etcd@":            "want etcd@VERSION",
		"etcd@v3.5.3":      "not built by the lab (known: v3.6.16, v3.5.4, v3.5.5",
		"etcd@v3.5.4+":     `unknown variant ""`,
		"etcd@v3.5.4+fast": `unknown variant "fast" (known: slow-wal)`,
		"etcd+slow-wal":    "built without them (gofail releases: v3.5.4, v3.5.5)",
	} {
		_, err := ParseName(name)
		assert.ErrorContains(t, err, msg, name)
	}
}

func TestVariantArgs(t *testing.T) {
	n := cluster.NodeSpec{ID: "n1", HTTPAddr: "10.0.0.2:8080", RaftAddr: "10.0.0.2:7000"}
	st, err := System{Version: "v3.5.4", Variant: "slow-wal"}.store()
	require.NoError(t, err)
	args := st.Args(n, []cluster.NodeSpec{n}, "")
	require.GreaterOrEqual(t, len(args), 2)
	assert.Equal(t, []string{"--raftlab-failpoints", Variants["slow-wal"]}, args[len(args)-2:])
	assert.Equal(t, "v3.5.4", st.Release.Version)
	plain, err := System{Version: "v3.5.5"}.store()
	require.NoError(t, err)
	assert.NotContains(t, plain.Args(n, []cluster.NodeSpec{n}, ""), "--raftlab-failpoints")
}

// TestGofailMainsAgree: every gofail release builds the same main (each
// module pins its own release, so each holds a copy); they must not drift.
func TestGofailMainsAgree(t *testing.T) {
	var first []byte
	for _, r := range Releases {
		if !r.Gofail {
			continue
		}
		b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(r.Module), "main.go"))
		require.NoError(t, err, r.Version)
		if first == nil {
			first = b
			continue
		}
		assert.Equal(t, string(first), string(b), "%s/main.go differs from the first gofail release's", r.Module)
	}
	require.NotNil(t, first, "at least one gofail release")
}
