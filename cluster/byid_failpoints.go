package cluster

import (
	"context"
	"fmt"
)

// ArmFailpoint arms the failpoint name with term on node id through its
// /failpoints endpoint (api.Client.SetFailpoint); "off" disarms. The image
// the cluster builds is the failpoint build, so every point is there.
func (c *Cluster) ArmFailpoint(ctx context.Context, id, name, term string) error {
	return c.with(id, func(n *Node) error {
		cl, err := n.labClient(ctx)
		if err != nil {
			return err
		}
		if err := cl.SetFailpoint(ctx, name, term); err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		return nil
	})
}
