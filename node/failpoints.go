package node

import (
	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/failpoint"
)

// Failpoints and planted bugs exist only in the failpoint build (-tags
// failpoints). Every call site goes through these helpers, which start with
// the constant failpoint.Enabled: in an ordinary build they are `return nil`
// and `return false`, inlined, and the guarded code is dropped by the
// compiler (TestDefaultBuildHasNoFailpoints in cmd/raftkv checks the binary).

// points is every failpoint of a node: the named points and the bug switches.
func points() []failpoint.Point {
	out := append([]failpoint.Point{}, failpoint.NodePoints...)
	for _, b := range bugs.All {
		out = append(out, failpoint.Point{Name: b.Name, Description: "planted bug: " + b.Description})
	}
	return out
}

// newFailpoints builds the node's registry armed with spec.
func newFailpoints(spec string) (*failpoint.Registry, error) {
	s, err := failpoint.ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	r := failpoint.New(points())
	if err := r.ArmSpec(s); err != nil {
		return nil, err
	}
	return r, nil
}

// fp is embedded by the parts of the node that have failpoints.
type fp struct{ fps *failpoint.Registry }

// fail evaluates a failpoint: nil unless it is armed with error.
func (f fp) fail(name string) error {
	if !failpoint.Enabled {
		return nil
	}
	return f.fps.Eval(name)
}

// bug reports whether a planted bug is switched on.
func (f fp) bug(name string) bool {
	if !failpoint.Enabled {
		return false
	}
	return f.fps.On(name)
}
