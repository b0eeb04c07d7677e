package scenarios

import (
	"fmt"
	"slices"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/report"
	"github.com/raftlab/raftlab/system"
)

// Needs returns the capabilities a system must have to run s, derived from
// the scenario's data: its nemeses, read level, node settings and claims.
// A nemesis kind this function does not know needs a capability named
// after it ("nemesis:<name>"), which only the reference system (raftkv)
// has: a new nemesis is not applicable to another system until someone
// says here what it needs.
func Needs(s Scenario) []system.Capability {
	var out []system.Capability
	add := func(cs ...system.Capability) {
		for _, c := range cs {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	for _, n := range s.Nemeses {
		add(nemesisNeeds(n)...)
	}
	switch s.ReadLevel {
	case api.ReadStale:
		add(system.ReadStale)
	case api.ReadLeader:
		add(system.ReadLeader)
	}
	if s.Node != (NodeSettings{}) {
		add(system.NodeSettings)
	}
	if len(s.Failpoints) > 0 {
		add(system.PlantedBugs)
	}
	for _, c := range s.Proves {
		switch c {
		case report.ClaimSnapshotsInstalled:
			add(system.SnapshotCounters)
		case report.ClaimMembershipChanged, report.ClaimNodeReplaced:
			add(system.Membership)
		case report.ClaimAllRestarted:
			add(system.Kill)
		// Judged from the run's own fault windows: a compound window needs
		// only what its parts need (the nemeses above say it).
		case report.ClaimCompound:
		case report.ClaimLeaderTransferred:
			add(system.LeaderTransfer)
		case report.ClaimOperatorError:
			add(system.Disk, system.Membership)
		default:
			add(system.Capability("claim:" + string(c)))
		}
	}
	slices.Sort(out)
	return out
}

// nemesisNeeds is what one nemesis needs of the system: the capability of
// every chaos interface its Inject asserts (system.Implements maps them),
// so a system that lacks one is told apart before the run, not by a
// chaos.LacksError in the middle of it (TestNeedsCoverWhatNemesesAssert).
func nemesisNeeds(n chaos.Nemesis) []system.Capability {
	switch n := n.(type) {
	case chaos.Kill, chaos.Restart, chaos.CrashAll, chaos.KillMajority, chaos.RollingRestart:
		return []system.Capability{system.Kill}
	case chaos.Pause:
		return []system.Capability{system.Pause}
	case chaos.Stall:
		return []system.Capability{system.Pause, system.Network}
	case chaos.Partition, chaos.OneWay, chaos.Drop, chaos.Limit, chaos.Delay:
		return []system.Capability{system.Network}
	case chaos.MemberRemove, chaos.MemberReplace, chaos.GrowShrink:
		return []system.Capability{system.Membership}
	// Its expectation (acknowledged writes lost) needs a store whose state
	// follows its log; one that stalls instead is not applicable.
	case chaos.DiskLies:
		return []system.Capability{system.Disk, system.Kill, system.StateFromLog}
	// A damaged node that refuses to start is replaced (membership).
	case chaos.DiskTruncate, chaos.BitFlip, chaos.DirLost, chaos.DirOld:
		return []system.Capability{system.Disk, system.Kill, system.Membership}
	// A node that crashed at the point is started again.
	case chaos.Failpoint:
		return []system.Capability{system.Failpoints, system.Kill}
	case chaos.RestoreCrash:
		return []system.Capability{system.Failpoints, system.Kill, system.Network}
	case chaos.Transfer:
		return []system.Capability{system.LeaderTransfer}
	case chaos.Compound:
		var out []system.Capability
		for _, p := range n.Parts {
			for _, c := range nemesisNeeds(p.Nemesis) {
				if !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
		}
		return out
	}
	return []system.Capability{system.Capability("nemesis:" + n.Name())}
}

// NotApplicableError is Run's answer for a scenario that needs a capability
// the system lacks: the scenario did not run, which is neither a pass nor a
// failure.
type NotApplicableError struct {
	Scenario, System, Reason string
}

func (e *NotApplicableError) Error() string {
	return fmt.Sprintf("scenario %s is not applicable to %s: %s", e.Scenario, e.System, e.Reason)
}

// Applicable says whether s can run on sys, and if not, why.
func Applicable(s Scenario, sys system.System) (bool, string) {
	why := system.NotApplicable(sys, Needs(s))
	return why == "", why
}
