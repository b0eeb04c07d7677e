package chaos

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/fault"
)

// Every nemesis records a fault kind of package fault's table (so the
// pictures know its family and colour, and history.html pairs its events),
// and closes it with one of that kind's closing events: the catalogue, the
// compounds' parts, the failpoint nemeses.
func TestEveryNemesisKindIsInTheTable(t *testing.T) {
	nems := append(Catalog(),
		Failpoint{Target: Leader, Point: fault.PointFSMBeforeCommit, Term: "1*panic"},
		RestoreCrash{})
	for _, nem := range nems {
		t.Run(nem.Name(), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c := newFake(5, "n2")
			f, err := nem.Inject(ctx, c, rand.New(rand.NewPCG(1, 0)))
			require.NoError(t, err)
			require.NoError(t, f.Heal(ctx))
			faults := []*Fault{f}
			if len(f.Parts) > 0 {
				assert.Equal(t, fault.Compound, f.Kind)
				faults = f.Parts
			}
			for _, g := range faults {
				in, ok := fault.Lookup(g.Kind)
				if assert.True(t, ok, "kind %q is not in package fault's table", g.Kind) {
					assert.False(t, in.Foreign, g.Kind)
					assert.Contains(t, in.Heals, g.HealKind, "%s closes with %s", g.Kind, g.HealKind)
				}
			}
		})
	}
}
