// Package failpoint is a small registry of named points in the node's code
// where a test can make the node crash, stall or fail on purpose, in the
// spirit of the gofail failpoints etcd's robustness tests use, and the
// switches of the planted bugs (package bugs).
//
// Only the lab's build has them: the node's call sites are guarded by the
// constant Enabled, which is true only with the build tag "failpoints", so an
// ordinary `go build ./cmd/raftkv` contains neither the registry nor its HTTP
// endpoint. The registry itself has no build tag, so its tests always run.
package failpoint

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"
)

// Point names a failpoint and says what it is for.
type Point struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// State is a point's current term and how often execution reached it while
// it was armed.
type State struct {
	Point
	Term string `json:"term"`
	Hits uint64 `json:"hits"`
}

// InjectedError is what an armed error term returns.
type InjectedError struct {
	Point string
	Msg   string
}

func (e *InjectedError) Error() string { return fmt.Sprintf("failpoint %s: %s", e.Point, e.Msg) }

// ErrUnknown is returned (wrapped) for a name the registry does not know.
// (A static value, not errors.New: importing the package for its constants
// then links no initialisation code.)
var ErrUnknown error = unknownError{}

type unknownError struct{}

func (unknownError) Error() string { return "no such failpoint" }

// Registry holds the terms of a fixed set of points. The zero value is not
// usable; a nil *Registry is: every point is off.
type Registry struct {
	mu     sync.RWMutex
	points map[string]Point
	terms  map[string]Term
	hits   map[string]uint64
	crash  func(name string)
}

// New returns a registry of the given points, all off.
func New(points []Point) *Registry {
	r := &Registry{points: map[string]Point{}, terms: map[string]Term{}, hits: map[string]uint64{}, crash: exit}
	for _, p := range points {
		r.points[p.Name] = p
	}
	return r
}

// exit is the default panic action: like an uncaught panic (exit status 2),
// but also from an HTTP handler goroutine, whose panics net/http would catch.
func exit(name string) {
	fmt.Fprintf(os.Stderr, "panic: failpoint %s\n", name)
	os.Exit(2)
}

// SetCrash replaces what the panic action does (tests running several nodes
// in one process record the crash instead of ending the process).
func (r *Registry) SetCrash(f func(name string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.crash = f
}

// Arm sets the term of a point ("off" disarms it).
func (r *Registry) Arm(name string, t Term) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.points[name]; !ok {
		return fmt.Errorf("%w: %q (GET /failpoints lists them)", ErrUnknown, name)
	}
	if t.Kind == Off {
		delete(r.terms, name)
		return nil
	}
	r.terms[name] = t
	return nil
}

// ArmSpec arms every point of spec, or none if any name is unknown.
func (r *Registry) ArmSpec(spec Spec) error {
	var errs []error
	for name := range spec {
		if _, ok := r.points[name]; !ok {
			errs = append(errs, fmt.Errorf("%w: %q", ErrUnknown, name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for name, t := range spec {
		if err := r.Arm(name, t); err != nil {
			return err
		}
	}
	return nil
}

// term returns the armed term of name and counts the hit.
func (r *Registry) term(name string) (Term, func(string)) {
	if r == nil {
		return Term{}, nil
	}
	r.mu.RLock()
	t, ok := r.terms[name]
	r.mu.RUnlock()
	if !ok {
		return Term{}, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// Re-read under the write lock: a counted term must not act more often
	// than its count when goroutines race here.
	t, ok = r.terms[name]
	if !ok {
		return Term{}, nil
	}
	r.hits[name]++
	if t.Count > 0 {
		if t.Count == 1 {
			delete(r.terms, name)
		} else {
			r.terms[name] = Term{Kind: t.Kind, Sleep: t.Sleep, Msg: t.Msg, Count: t.Count - 1}
		}
	}
	return t, r.crash
}

// Eval runs the action armed at name: nothing when off (or a switch), a
// crash for panic, a stall for sleep, and an *InjectedError for error.
func (r *Registry) Eval(name string) error {
	t, crash := r.term(name)
	switch t.Kind {
	case Panic:
		crash(name)
	case Sleep:
		time.Sleep(t.Sleep)
	case Fail:
		return &InjectedError{Point: name, Msg: t.Msg}
	}
	return nil
}

// On reports whether name is armed with any term but off: the switch of a
// planted bug.
func (r *Registry) On(name string) bool {
	t, _ := r.term(name)
	return t.Kind != Off
}

// Hits returns how often execution reached name while it was armed.
func (r *Registry) Hits(name string) uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.hits[name]
}

// List returns every point with its term, sorted by name.
func (r *Registry) List() []State {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]State, 0, len(r.points))
	for name, p := range r.points {
		out = append(out, State{Point: p, Term: r.terms[name].String(), Hits: r.hits[name]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
