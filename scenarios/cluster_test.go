package scenarios

import (
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/cluster"
)

// The real cluster is what chaos injects faults into; chaos tests its
// nemeses against a fake of the same interface.
var (
	_ chaos.Cluster    = (*cluster.Cluster)(nil)
	_ chaos.LinkProber = (*cluster.Cluster)(nil)
)
