//go:build failpoints

package failpoint

// Enabled is true in the lab's build (go build -tags failpoints): the node
// evaluates its failpoints, serves /failpoints and accepts -failpoints.
const Enabled = true
