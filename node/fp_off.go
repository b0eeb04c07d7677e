//go:build !failpoints

package node

import "net/http"

// fp is empty in an ordinary build: no failpoint fires, no planted bug is
// on, and the compiler drops the guarded code (fp_on.go is the lab's build).
type fp struct{}

func newFP(spec string) (fp, error)       { return fp{}, nil }
func (fp) fail(string) error              { return nil }
func (fp) bug(string) bool                { return false }
func (fp) failpointHandler() http.Handler { return http.NotFoundHandler() }
