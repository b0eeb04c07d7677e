package chaos

import (
	"context"
	"slices"

	"golang.org/x/sync/errgroup"
)

// Cuts is a set of directed links that are down: Cuts[b] lists the nodes
// whose packets node b drops, so each a in Cuts[b] is a link a → b that is
// cut. Every network shape of this package is a Cuts.
//
// A link a → b is always cut at b, on what b receives: a's packets leave a
// and are lost on the way, as on a broken wire, and a's kernel reports no
// error to raft (a drop on a's own output would fail its sends at once, a
// different and easier fault). A two-way cut between a and b is both links.
type Cuts map[string][]string

// GroupCuts is the partition of the nodes into groups: every link between
// two different groups is cut, both ways; links inside a group stay up.
func GroupCuts(groups [][]string) Cuts {
	cuts := Cuts{}
	for i, g := range groups {
		for j, h := range groups {
			if i == j {
				continue
			}
			for _, b := range g {
				cuts[b] = append(cuts[b], h...)
			}
		}
	}
	for b, from := range cuts {
		cuts[b] = sortedCopy(from)
	}
	return cuts
}

// Up reports whether the link a → b is up (a's packets reach b).
func (c Cuts) Up(a, b string) bool { return a == b || !slices.Contains(c[b], a) }

// Nodes returns the nodes that drop something, in node order.
func (c Cuts) Nodes() []string {
	var ids []string
	for b, from := range c {
		if len(from) > 0 {
			ids = append(ids, b)
		}
	}
	return sortedCopy(ids)
}

// install puts the cuts in place, every node's rules at the same time (one
// exec per node in a real cluster, so a shape takes the time of one).
func (c Cuts) install(ctx context.Context, cl Networker) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, b := range c.Nodes() {
		g.Go(func() error { return cl.CutFrom(gctx, b, c[b]) })
	}
	return g.Wait()
}

// heal removes the network faults of every node the cuts touched, and only
// of those.
func (c Cuts) heal(ctx context.Context, cl Networker) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, b := range c.Nodes() {
		g.Go(func() error { return cl.HealNode(gctx, b) })
	}
	return g.Wait()
}
