package api

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The lab talks to the stores through this package and package system
// only; it must link neither raftkv's engine (hashicorp/raft, BadgerDB) nor
// the etcd server (built in its own module, system/etcd/server) nor etcd's
// raft. go list resolves the real import graph, build tags and all, so a
// new indirect import is caught too.
func TestLabDoesNotLinkTheStore(t *testing.T) {
	labPackages := []string{"api", "nodeflags", "cluster", "chaos", "scenarios", "report", "campaign", "selftest",
		"system", "system/etcd", "system/systems", "system/systemtest", "compare", "cmd/chaoslab"}
	forbidden := []string{"github.com/hashicorp/raft", "github.com/dgraph-io/badger",
		"go.etcd.io/etcd/server", "go.etcd.io/raft", "go.etcd.io/etcd/raft", "go.etcd.io/bbolt", "go.etcd.io/gofail"}
	for _, p := range labPackages {
		out, err := exec.Command("go", "list", "-deps", "-test", "github.com/raftlab/raftlab/"+p).CombinedOutput()
		require.NoError(t, err, "go list %s: %s", p, out)
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				assert.False(t, strings.HasPrefix(dep, f), "%s depends on %s", p, dep)
			}
		}
	}
}
