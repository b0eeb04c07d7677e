package api

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The lab talks to the store through this package only; it must not link
// the store's engine (see the package doc). go list resolves the real
// import graph, build tags and all, so a new indirect import is caught too.
func TestLabDoesNotLinkTheStore(t *testing.T) {
	labPackages := []string{"api", "nodeflags", "cluster", "chaos", "scenarios", "cmd/chaoslab"}
	forbidden := []string{"github.com/hashicorp/raft", "github.com/dgraph-io/badger"}
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
