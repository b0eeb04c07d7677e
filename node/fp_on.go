//go:build failpoints

package node

import (
	"net/http"

	"github.com/raftlab/raftlab/bugs"
	"github.com/raftlab/raftlab/failpoint"
)

// fp gives the parts of the node that have failpoints (Node, FSM, LogStore)
// their registry. This is the failpoint build's version; fp_off.go is the
// ordinary build's, an empty struct whose methods do nothing, so that an
// ordinary binary holds no reference to the registry at all
// (TestDefaultBuildHasNoFailpoints in cmd/raftkv checks the symbols).
type fp struct{ fps *failpoint.Registry }

// newFP builds the node's registry, armed with spec ("name=term;...").
func newFP(spec string) (fp, error) {
	s, err := failpoint.ParseSpec(spec)
	if err != nil {
		return fp{}, err
	}
	r := failpoint.New(points())
	if err := r.ArmSpec(s); err != nil {
		return fp{}, err
	}
	return fp{fps: r}, nil
}

// points is every failpoint of a node: the named points and the bug switches.
func points() []failpoint.Point {
	out := append([]failpoint.Point{}, failpoint.NodePoints...)
	for _, b := range bugs.All {
		out = append(out, failpoint.Point{Name: b.Name, Description: "planted bug: " + b.Description})
	}
	return out
}

// fail evaluates a failpoint: nil unless it is armed with error.
func (f fp) fail(name string) error { return f.fps.Eval(name) }

// bug reports whether a planted bug is switched on.
func (f fp) bug(name string) bool { return f.fps.On(name) }

// failpointHandler serves /failpoints.
func (f fp) failpointHandler() http.Handler { return f.fps.Handler() }
