//go:build !failpoints

package failpoint

// Enabled is false in an ordinary build: every call site in the node is
// written `if failpoint.Enabled { ... }`, so the compiler drops the call and
// the linker never sees the registry (TestDefaultBuildHasNoFailpoints).
const Enabled = false
