package cluster

import (
	"context"
	"fmt"
)

// TransferLeader asks the cluster, through node via (forwarded to the
// leader when via does not lead), to hand leadership to node to ("" = raft's
// choice). It returns the new leader as the old one knew it when it
// answered ("" when it had not heard from one yet).
func (c *Cluster) TransferLeader(ctx context.Context, via, to string) (string, error) {
	var next string
	err := c.with(via, func(n *Node) error {
		cl, err := n.labClient(ctx)
		if err != nil {
			return err
		}
		a, err := cl.TransferLeader(ctx, to)
		if err != nil {
			return fmt.Errorf("%s: %w", via, err)
		}
		next = a.To
		return nil
	})
	return next, err
}
