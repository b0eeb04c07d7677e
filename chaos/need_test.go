package chaos

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/fault"
)

// coreOnly hides every capability of a cluster: it offers the methods of
// Cluster and nothing else, as a system that can do no fault of its own.
type coreOnly struct{ Cluster }

// A nemesis on a cluster without the capability it needs injects nothing
// and says which interface is missing.
func TestNemesisOnClusterLackingItsCapability(t *testing.T) {
	nemeses := append(Catalog(),
		Failpoint{Target: Leader, Point: fault.PointSnapshotBeforeRestore, Term: "1*panic"},
		RestoreCrash{})
	for _, nem := range nemeses {
		f := newFake(5, "n1")
		_, err := nem.Inject(context.Background(), coreOnly{f}, rand.New(rand.NewPCG(1, 2)))
		var lacks *LacksError
		require.True(t, errors.As(err, &lacks), "%s: got %v", nem.Name(), err)
		assert.NotEmpty(t, lacks.Lacks, nem.Name())
		assert.Contains(t, err.Error(), "needs a cluster that implements chaos.", nem.Name())
		assert.Contains(t, err.Error(), "chaos.coreOnly", nem.Name())
		acts := slices.DeleteFunc(slices.Clone(f.calls), func(c string) bool { return c == "leader" || strings.HasPrefix(c, "status") })
		assert.Empty(t, acts, "%s acted on a cluster it cannot fault", nem.Name())
	}
}

// need names exactly the interfaces missing, and hands over the ones there.
func TestNeedNamesWhatIsMissing(t *testing.T) {
	f := newFake(3, "n1")
	partial := struct {
		Cluster
		Killer
	}{f, f}
	var (
		kc Killer
		nc Networker
		pc Pauser
	)
	err := need(partial, "x", &kc, &nc, &pc)
	var lacks *LacksError
	require.ErrorAs(t, err, &lacks)
	assert.Equal(t, []string{"chaos.Networker", "chaos.Pauser"}, lacks.Lacks)
	assert.Equal(t, "nemesis x needs a cluster that implements chaos.Networker and chaos.Pauser; the system under test's cluster (struct { chaos.Cluster; chaos.Killer }) does not (the scenario is not applicable to it)", err.Error())

	require.NoError(t, need(f, "x", &kc, &nc, &pc))
	assert.Same(t, f, kc.(*fakeCluster))
}

// A schedule whose nemesis the cluster cannot serve reports it as Run's
// error (the run must not pass), not only in the window.
func TestScheduleReportsLacks(t *testing.T) {
	s := Schedule{Nemeses: []Nemesis{Pause{Target: Leader}}, Duration: 300 * time.Millisecond, Quiet: 50 * time.Millisecond, Fault: 100 * time.Millisecond}
	f := newFake(3, "n1")
	ws, err := s.Run(context.Background(), coreOnly{f}, &fakeRecorder{start: time.Now()}, RunOptions{Logger: quiet, Seed: 1})
	var lacks *LacksError
	require.ErrorAs(t, err, &lacks)
	assert.Equal(t, []string{"chaos.Pauser"}, lacks.Lacks)
	require.NotEmpty(t, ws)
	assert.Contains(t, ws[0].Error, "needs a cluster that implements chaos.Pauser")
	assert.Nil(t, ws[0].Fault)
}
