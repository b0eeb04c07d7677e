package scenarios

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/raftlab/raftlab/nodeflags"
)

// A scenario file carries node settings by flag name ("snapshot-threshold":
// "64"), the node's own command-line vocabulary (nodeflags), so a file
// reads like the flags it turns into and a renamed Go field breaks no file.

// nodeMap is s's non-zero settings by flag name (nil when all are zero).
func nodeMap(s NodeSettings) map[string]string {
	var m map[string]string
	for _, a := range s.Args() {
		name, value, _ := strings.Cut(strings.TrimPrefix(a, "-"), "=")
		if m == nil {
			m = map[string]string{}
		}
		m[name] = value
	}
	return m
}

// withNodeMap returns base with the settings of m (flag name → value) set;
// errors name the setting.
func withNodeMap(base NodeSettings, m map[string]string) (NodeSettings, error) {
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := base
	nodeflags.Register(fs, &out)
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if fs.Lookup(name) == nil {
			return base, fmt.Errorf("node setting %q: unknown (known: %s)", name, strings.Join(nodeflags.Names(), ", "))
		}
		if err := fs.Set(name, m[name]); err != nil {
			return base, fmt.Errorf("node setting %s: %w", name, err)
		}
	}
	if err := out.Validate(); err != nil {
		return base, err
	}
	return out, nil
}
