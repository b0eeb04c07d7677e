package chaos

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/raftlab/raftlab/fault"
)

// GrowShrink adds Add new nodes as voters, one at a time (3 → 5 voters with
// the default), and Heal removes them again, newest first, through the API
// (their containers and data are deleted). New nodes get fresh ids (n4, n5,
// then n6, n7 in a later window). History: "grow n4 n5" … "shrink n4 n5".
type GrowShrink struct {
	// Add is the number of nodes to add (default 2).
	Add int
}

// Name is "grow-shrink".
func (GrowShrink) Name() string { return "grow-shrink" }

// Inject adds the nodes. When one fails, the nodes added so far are
// removed again before the error is returned.
func (g GrowShrink) Inject(ctx context.Context, c Cluster, _ *rand.Rand) (*Fault, error) {
	var mc Members
	if err := need(c, g.Name(), &mc); err != nil {
		return nil, err
	}
	add := g.Add
	if add <= 0 {
		add = 2
	}
	var added []string
	shrink := func(ctx context.Context) error {
		var errs []error
		for _, id := range slices.Backward(added) {
			if err := mc.ShrinkNode(ctx, id); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	for range add {
		id, err := mc.GrowNode(ctx)
		if err != nil {
			return nil, errors.Join(err, shrink(context.WithoutCancel(ctx)))
		}
		added = append(added, id)
	}
	return NewFault(g.Name(), fault.Grow, strings.Join(added, " "), added, fault.Shrink, shrink), nil
}
