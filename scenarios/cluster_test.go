package scenarios

import (
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/cluster"
)

// The real cluster is what chaos injects faults into, with every
// capability; chaos tests its nemeses against a fake of the same
// interfaces.
var (
	_ chaos.Cluster          = (*cluster.Cluster)(nil)
	_ chaos.Killer           = (*cluster.Cluster)(nil)
	_ chaos.Pauser           = (*cluster.Cluster)(nil)
	_ chaos.Networker        = (*cluster.Cluster)(nil)
	_ chaos.Disker           = (*cluster.Cluster)(nil)
	_ chaos.Members          = (*cluster.Cluster)(nil)
	_ chaos.Failpointer      = (*cluster.Cluster)(nil)
	_ chaos.LeaderTransferer = (*cluster.Cluster)(nil)
	_ chaos.LinkProber       = (*cluster.Cluster)(nil)
)
