package cluster

import (
	"context"
	"time"
)

// ProbeLink sends count UDP echo probes from node from to node to (Probe,
// from inside from's network namespace) and returns how many were
// answered and their median round trip. The lab's fault schedule uses it
// to see that a network fault really cut, thinned or slowed a link
// (chaos.LinkProber).
func (c *Cluster) ProbeLink(ctx context.Context, from, to string, count int) (sent, received int, rttMedian time.Duration, err error) {
	a, err := c.byID(from)
	if err != nil {
		return 0, 0, 0, err
	}
	b, err := c.byID(to)
	if err != nil {
		return 0, 0, 0, err
	}
	r, err := a.Probe(ctx, b, count)
	if err != nil {
		return 0, 0, 0, err
	}
	return r.Sent, r.Received, r.RTTMedian, nil
}
