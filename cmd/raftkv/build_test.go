package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildAndList builds this command with the given tags and returns the
// symbol table of the binary and the output of -h.
func buildAndList(t *testing.T, tags string) (symbols, help string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "raftkv")
	args := []string{"build", "-o", bin}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	nm, err := exec.Command("go", "tool", "nm", bin).CombinedOutput()
	require.NoError(t, err, "go tool nm: %s", nm)
	h, _ := exec.Command(bin, "-h").CombinedOutput() // exits 0
	return string(nm), string(h)
}

// The ordinary build contains no failpoint code, endpoint or flag; the
// failpoint build has all three (which shows this test can fail).
func TestDefaultBuildHasNoFailpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary twice")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool")
	}
	const registry = "raftlab/failpoint.(*Registry)"
	syms, help := buildAndList(t, "")
	for _, line := range strings.Split(syms, "\n") {
		assert.NotContains(t, line, "raftlab/failpoint.", "failpoint code in the default build")
		assert.NotContains(t, line, "casLocalCompare", "planted bug code in the default build")
	}
	assert.NotContains(t, help, "-failpoints")

	syms, help = buildAndList(t, "failpoints")
	assert.Contains(t, syms, registry+".Eval")
	assert.Contains(t, syms, registry+".Handler")
	assert.Contains(t, syms, "casLocalCompare")
	assert.Contains(t, help, "-failpoints")
}
