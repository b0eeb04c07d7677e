package fault

import "slices"

// The node's failpoints (DESIGN.md, "Failpoints"): the names the failpoint
// nemesis arms (chaos.Failpoint.Point) and the node registers (package
// failpoint, which describes each).
const (
	PointLogBeforeAppend        = "log-before-append"
	PointFSMBeforeCommit        = "fsm-before-commit"
	PointApplyBeforeAnswer      = "apply-before-answer"
	PointReadIndexBeforeBarrier = "readindex-before-barrier"
	PointReadIndexBeforeConfirm = "readindex-before-confirm"
	PointReadIndexBeforeWait    = "readindex-before-wait"
	PointSnapshotPersist        = "snapshot-persist"
	PointSnapshotBeforeRestore  = "snapshot-before-restore"
)

var points = []string{
	PointLogBeforeAppend,
	PointFSMBeforeCommit,
	PointApplyBeforeAnswer,
	PointReadIndexBeforeBarrier,
	PointReadIndexBeforeConfirm,
	PointReadIndexBeforeWait,
	PointSnapshotPersist,
	PointSnapshotBeforeRestore,
}

// Points are the node's failpoint names (the planted bugs' switches are
// not among them: package bugs names those).
func Points() []string { return slices.Clone(points) }

// IsPoint reports whether name is one of the node's failpoints.
func IsPoint(name string) bool { return slices.Contains(points, name) }
