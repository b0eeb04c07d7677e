package scenarios

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/fault"
	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/etcd"
	"github.com/raftlab/raftlab/system/systemtest"
)

// short makes a built-in scenario quick enough for -short runs.
func short(t *testing.T, name string) Scenario {
	t.Helper()
	s, ok := Lookup(name)
	require.True(t, ok, name)
	s.Duration, s.Quiet, s.Fault = 3*time.Second, 500*time.Millisecond, time.Second
	return s
}

// TestRunOnFakeSystem runs the runner end to end against the in-memory
// system: a safe scenario is linearizable, the stale-reads one is caught.
func TestRunOnFakeSystem(t *testing.T) {
	for _, tc := range []struct {
		name string
		want linearizability.Verdict
	}{
		{"partition-leader", linearizability.Linearizable},
		{"kill-leader", linearizability.Linearizable},
		{"stale-reads", linearizability.NotLinearizable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			sum, err := Run(ctx, short(t, tc.name), Options{Seed: 7, Out: t.TempDir(), System: systemtest.System{}})
			require.NoError(t, err)
			assert.Equal(t, tc.want, sum.Verdict)
			assert.Positive(t, sum.Counts.OK)
			assert.Empty(t, sum.Errors)
			injected := 0
			for _, w := range sum.Faults {
				if w.Fault != nil {
					injected++
				}
			}
			assert.Positive(t, injected, "the schedule injected faults through the system's handles")
		})
	}
}

// TestNotApplicable: a scenario that needs what the system lacks does not
// run (no folder, no summary) and says why.
func TestNotApplicable(t *testing.T) {
	s := short(t, "partition-leader")
	s.Nemeses = []chaos.Nemesis{chaos.Failpoint{Target: chaos.Leader, Point: fault.PointFSMBeforeCommit, Term: "1*panic"}}
	out := filepath.Join(t.TempDir(), "run")
	sum, err := Run(context.Background(), s, Options{Out: out, System: systemtest.System{}})
	assert.Nil(t, sum)
	var na *NotApplicableError
	require.True(t, errors.As(err, &na), "%v", err)
	assert.Equal(t, "fake", na.System)
	assert.Contains(t, na.Reason, string(system.Failpoints))
	_, statErr := os.Stat(out)
	assert.True(t, os.IsNotExist(statErr), "nothing ran, nothing was written")
}

// TestNeeds: capabilities come from the scenario's data.
func TestNeeds(t *testing.T) {
	need := func(name string) []system.Capability {
		s, ok := Lookup(name)
		require.True(t, ok, name)
		return Needs(s)
	}
	assert.Equal(t, []system.Capability{system.Kill}, need("kill-leader"))
	assert.Equal(t, []system.Capability{system.Network}, need("partition-leader"))
	assert.Equal(t, []system.Capability{system.Network, system.ReadStale}, need("stale-reads"))
	assert.Contains(t, need("leader-reads-partition"), system.ReadLeader)
	assert.Contains(t, need("crash-batch-commit"), system.Failpoints)
	// A nemesis this package does not know needs itself: only raftkv has it.
	s := short(t, "kill-leader")
	s.Nemeses = []chaos.Nemesis{unknownNemesis{}}
	assert.Equal(t, []system.Capability{"nemesis:mystery"}, Needs(s))
	ok, why := Applicable(s, etcd.System{})
	assert.False(t, ok)
	assert.Contains(t, why, "nemesis:mystery")
	ok, _ = Applicable(s, system.Raftkv{})
	assert.True(t, ok)
}

type unknownNemesis struct{ chaos.Kill }

func (unknownNemesis) Name() string { return "mystery" }

// TestEtcdApplicable: the CI scenarios the etcd system can run include the
// three the issue asks for, membership (etcd's member API), leader
// transfer (MoveLeader), operator errors with its WAL and backend
// directories and the compound faults made of those; raftkv-only ones
// (lease reads, raftkv's failpoints and node settings, the lying disk's
// must-fail expectation) are not applicable, with a reason.
func TestEtcdApplicable(t *testing.T) {
	for _, name := range []string{"kill-leader", "partition-leader", "stale-reads", "pause", "mixed",
		"membership-remove", "membership-replace", "grow-shrink", "stale-reads-membership", "leader-transfer",
		"compound-partition-crash", "compound-restart-isolated", "compound-membership",
		"disk-operator-error", "compound-raft-dir-lost"} {
		s, _ := Lookup(name)
		ok, why := Applicable(s, etcd.System{})
		assert.True(t, ok, "%s: %s", name, why)
	}
	for _, name := range []string{"leader-reads-partition", "crash-batch-commit", "disk-truncate-one", "disk-lies-majority"} {
		s, _ := Lookup(name)
		ok, why := Applicable(s, etcd.System{})
		assert.False(t, ok, name)
		assert.NotEmpty(t, why)
	}
}
