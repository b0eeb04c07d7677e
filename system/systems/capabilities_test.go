package systems

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/etcd"
	"github.com/raftlab/raftlab/system/systemtest"
)

// A system offers a fault handle exactly when its cluster value implements
// the handle's chaos interface, so "not applicable" (from Lacks) and what a
// nemesis finds at Inject time (a type assertion) cannot disagree. raftkv
// and etcd are checked on their cluster types (their Docker tests check the
// started values too), the fake on started clusters.
func TestHandlesOfferedIffImplemented(t *testing.T) {
	fakeStarted := func(s systemtest.System) system.Cluster {
		c, err := s.Start(context.Background(), system.Config{Nodes: 3})
		require.NoError(t, err)
		return c
	}
	cases := []struct {
		name    string
		sys     system.System
		cluster any
		lacks   []system.Capability
	}{
		{"raftkv", system.Raftkv{}, system.Docker{}, nil},
		{"etcd", etcd.System{}, etcd.Cluster{}, []system.Capability{system.Failpoints}},
		{"fake", systemtest.System{}, fakeStarted(systemtest.System{}), []system.Capability{system.Disk, system.Failpoints, system.LeaderTransfer, system.Membership}},
		{"fake-kill-only", systemtest.System{Has: []system.Capability{system.Kill}}, fakeStarted(systemtest.System{Has: []system.Capability{system.Kill}}),
			[]system.Capability{system.Disk, system.Failpoints, system.LeaderTransfer, system.Membership, system.Network, system.Pause}},
		{"fake-no-handles", systemtest.System{Has: []system.Capability{system.ReadStale}}, fakeStarted(systemtest.System{Has: []system.Capability{system.ReadStale}}), system.Handles()},
		// Has naming a handle the fake cannot implement does not make
		// it offered.
		{"fake-asks-membership", systemtest.System{Has: []system.Capability{system.Kill, system.Membership}}, fakeStarted(systemtest.System{Has: []system.Capability{system.Kill, system.Membership}}),
			[]system.Capability{system.Disk, system.Failpoints, system.LeaderTransfer, system.Membership, system.Network, system.Pause}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var lacks []system.Capability
			for _, h := range system.Handles() {
				impl, handle := system.Implements(tc.cluster, h)
				require.True(t, handle, h)
				why := tc.sys.Lacks(h)
				assert.Equal(t, why == "", impl, "%s: Lacks says %q, implements %v", h, why, impl)
				if why != "" {
					lacks = append(lacks, h)
				}
			}
			assert.Equal(t, tc.lacks, lacks)
		})
	}
	// Not a capability, but the schedule's evidence that network faults
	// took effect: a wrapper must keep it.
	assert.Implements(t, (*chaos.LinkProber)(nil), etcd.Cluster{})
	assert.Implements(t, (*chaos.LinkProber)(nil), system.Docker{})
	_, handle := system.Implements(system.Docker{}, system.ReadStale)
	assert.False(t, handle, "a read level is not a fault handle")
}
