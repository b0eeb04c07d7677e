package scenarios

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/fault"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/systemtest"
)

// stubHandles implements the handles the fake system lacks; every call
// fails. Enough for a nemesis to get past its assertions.
type stubHandles struct{}

var errStub = errors.New("stub handle")

func (stubHandles) RemoveMember(context.Context, string) error                 { return errStub }
func (stubHandles) AddMember(context.Context, string) error                    { return errStub }
func (stubHandles) DestroyNode(context.Context, string) error                  { return errStub }
func (stubHandles) ReplaceNode(context.Context, string) error                  { return errStub }
func (stubHandles) GrowNode(context.Context) (string, error)                   { return "", errStub }
func (stubHandles) ShrinkNode(context.Context, string) error                   { return errStub }
func (stubHandles) ArmFailpoint(context.Context, string, string, string) error { return errStub }
func (stubHandles) TransferLeader(context.Context, string, string) (string, error) {
	return "", errStub
}
func (stubHandles) TruncateNodeFile(context.Context, string, string, int64, float64) (string, error) {
	return "", errStub
}
func (stubHandles) FlipNodeBits(context.Context, string, string, int, float64, uint64) (string, error) {
	return "", errStub
}
func (stubHandles) SaveNodeDir(context.Context, string, string, string) (string, error) {
	return "", errStub
}
func (stubHandles) RestoreNodeDir(context.Context, string, string, string) (string, error) {
	return "", errStub
}
func (stubHandles) RemoveNodeDir(context.Context, string, string) (string, error) {
	return "", errStub
}

// without returns a cluster that implements every handle but lack's: the
// fake's kill, pause and network, stubs for the rest.
func without(t *testing.T, lack system.Capability) chaos.Cluster {
	c, err := systemtest.System{}.Start(context.Background(), system.Config{Nodes: 5})
	require.NoError(t, err)
	f := c.(interface {
		system.Cluster
		chaos.Killer
		chaos.Pauser
		chaos.Networker
	})
	s := stubHandles{}
	type (
		K = chaos.Killer
		P = chaos.Pauser
		N = chaos.Networker
		M = chaos.Members
		D = chaos.Disker
		F = chaos.Failpointer
		L = chaos.LeaderTransferer
	)
	var out chaos.Cluster
	switch lack {
	case system.Kill:
		out = struct {
			system.Cluster
			P
			N
			M
			D
			F
			L
		}{f, f, f, s, s, s, s}
	case system.Pause:
		out = struct {
			system.Cluster
			K
			N
			M
			D
			F
			L
		}{f, f, f, s, s, s, s}
	case system.Network:
		out = struct {
			system.Cluster
			K
			P
			M
			D
			F
			L
		}{f, f, f, s, s, s, s}
	case system.Membership:
		out = struct {
			system.Cluster
			K
			P
			N
			D
			F
			L
		}{f, f, f, f, s, s, s}
	case system.Disk:
		out = struct {
			system.Cluster
			K
			P
			N
			M
			F
			L
		}{f, f, f, f, s, s, s}
	case system.Failpoints:
		out = struct {
			system.Cluster
			K
			P
			N
			M
			D
			L
		}{f, f, f, f, s, s, s}
	case system.LeaderTransfer:
		out = struct {
			system.Cluster
			K
			P
			N
			M
			D
			F
		}{f, f, f, f, s, s, s}
	default:
		t.Fatalf("no wrapper without %s", lack)
	}
	impl, _ := system.Implements(out, lack)
	require.False(t, impl, lack)
	return out
}

// TestNeedsCoverWhatNemesesAssert: a nemesis never asserts a handle its
// needs do not name. For every nemesis and every handle outside its needs,
// Inject on a cluster lacking only that handle must not fail for lack of
// it; and on a cluster lacking a handle it needs, it must. So Needs, and
// the "not applicable" it decides, agree with what Inject finds.
func TestNeedsCoverWhatNemesesAssert(t *testing.T) {
	nemeses := append(chaos.Catalog(),
		chaos.Failpoint{Target: chaos.Leader, Point: fault.PointSnapshotBeforeRestore, Term: "1*panic"},
		chaos.RestoreCrash{})
	for _, nem := range nemeses {
		needs := nemesisNeeds(nem)
		for _, h := range system.Handles() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			f, err := nem.Inject(ctx, without(t, h), rand.New(rand.NewPCG(3, 4)))
			var lacks *chaos.LacksError
			if slices.Contains(needs, h) {
				// A compound's earlier part may fail on a stub first.
				assert.True(t, errors.As(err, &lacks) || errors.Is(err, errStub), "%s needs %s but did not say so without it: %v", nem.Name(), h, err)
			} else {
				assert.False(t, errors.As(err, &lacks), "%s asserted a handle its needs (%v) do not name: %v", nem.Name(), needs, err)
			}
			if _, compound := nem.(chaos.Compound); f != nil && !compound {
				_ = f.Heal(ctx) // stops a rolling restart's or a transfer's goroutine (a compound's heal only settles)
			}
			cancel()
		}
	}
}

// TestLackingHandleNotApplicable: a scenario whose nemesis needs a handle
// the system's cluster does not implement is not applicable and does not
// run, with the capability in the reason.
func TestLackingHandleNotApplicable(t *testing.T) {
	s := short(t, "pause")
	sys := systemtest.System{Has: []system.Capability{system.Kill, system.Network}}
	out := filepath.Join(t.TempDir(), "run")
	sum, err := Run(context.Background(), s, Options{Out: out, System: sys})
	assert.Nil(t, sum)
	var na *NotApplicableError
	require.True(t, errors.As(err, &na), "%v", err)
	assert.Contains(t, na.Reason, string(system.Pause)+": the fake does not have it")
	_, statErr := os.Stat(out)
	assert.True(t, os.IsNotExist(statErr), "nothing ran, nothing was written")

	// The same nemesis, if it ran anyway, would fail before doing
	// anything, naming the interface.
	c, err := sys.Start(context.Background(), system.Config{Nodes: 3})
	require.NoError(t, err)
	_, err = chaos.Pause{Target: chaos.Leader}.Inject(context.Background(), c, rand.New(rand.NewPCG(1, 1)))
	var lacks *chaos.LacksError
	require.ErrorAs(t, err, &lacks)
	assert.Equal(t, []string{"chaos.Pauser"}, lacks.Lacks)
}
