package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/raftlab/raftlab/fault"
)

// A Claim is something a scenario says its runs exercise ("did real work"):
// a scenario about snapshots must show that a snapshot was installed, one
// about membership that the membership changed. Claims are declared on the
// scenario (scenarios.Scenario.Proves), stored in run.json and evaluated by
// Summarize from the run's own records (fault windows, node figures), so a
// rebuilt report judges them the same way. A claim that does not hold makes
// the run "not as expected": the run passed without testing what it is for.
type Claim string

// The claims a scenario can make.
const (
	// ClaimSnapshotsInstalled: some node installed a snapshot sent by the
	// leader (InstallSnapshot), summed over every node's processes.
	ClaimSnapshotsInstalled Claim = "snapshots-installed"
	// ClaimMembershipChanged: a membership change (member-remove, grow, or
	// a wiped node) was made and undone (member-add, shrink) without error.
	ClaimMembershipChanged Claim = "membership-changed"
	// ClaimNodeReplaced: a node lost its disk and an empty node took its
	// place (a healed "wipe" window).
	ClaimNodeReplaced Claim = "node-replaced"
	// ClaimAllRestarted: one fault window took every node of the cluster
	// down and started them all again (a healed window whose heal is
	// "start" and whose targets are all the scenario's nodes).
	ClaimAllRestarted Claim = "all-nodes-restarted"
)

// claimRules are the known claims and how each is judged.
var claimRules = map[Claim]func(Run) (bool, string){
	ClaimSnapshotsInstalled: snapshotsInstalled,
	ClaimMembershipChanged:  membershipChanged,
	ClaimNodeReplaced:       nodeReplaced,
	ClaimAllRestarted:       allRestarted,
}

// Claims lists the known claims, sorted.
func Claims() []Claim {
	var cs []Claim
	for c := range claimRules {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i] < cs[j] })
	return cs
}

// CheckClaim reports an error for a claim this build cannot judge.
func CheckClaim(c Claim) error {
	if _, ok := claimRules[c]; !ok {
		return fmt.Errorf("unknown claim %q; known: %v", c, Claims())
	}
	return nil
}

// ClaimResult is one claim judged on a run.
type ClaimResult struct {
	Claim  Claim  `json:"claim"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// EvaluateClaims judges the scenario's claims on the run, in the order
// declared. An unknown claim does not hold.
func EvaluateClaims(r Run) []ClaimResult {
	var out []ClaimResult
	for _, c := range r.Scenario.Proves {
		rule, ok := claimRules[c]
		if !ok {
			out = append(out, ClaimResult{Claim: c, Detail: "unknown claim (this build cannot judge it)"})
			continue
		}
		holds, detail := rule(r)
		out = append(out, ClaimResult{Claim: c, OK: holds, Detail: detail})
	}
	return out
}

// healed lists the fault windows that were injected and healed without
// error, whose fault kind is one of kinds.
func healed(r Run, kinds ...fault.Kind) []FaultWindow {
	var out []FaultWindow
	for _, w := range r.Faults {
		if w.Fault == nil || w.Error != "" || w.Healing == 0 {
			continue
		}
		for _, k := range kinds {
			if w.Fault.Kind == k {
				out = append(out, w)
				break
			}
		}
	}
	return out
}

func names(ws []FaultWindow) string {
	var s []string
	for _, w := range ws {
		s = append(s, w.Fault.String()+" … "+string(w.Fault.HealKind))
	}
	return strings.Join(s, "; ")
}

func snapshotsInstalled(r Run) (bool, string) {
	var total, taken uint64
	var per []string
	for _, n := range r.Nodes {
		total += n.SnapshotsInstalled
		taken += n.SnapshotsTaken
		if n.SnapshotsInstalled > 0 {
			per = append(per, fmt.Sprintf("%s %d", n.ID, n.SnapshotsInstalled))
		}
	}
	if len(r.Nodes) == 0 {
		return false, "no node figures were recorded"
	}
	if total == 0 {
		return false, fmt.Sprintf("no node installed a snapshot from the leader (%d snapshots taken)", taken)
	}
	return true, fmt.Sprintf("%d snapshots installed (%s); %d taken", total, strings.Join(per, ", "), taken)
}

func membershipChanged(r Run) (bool, string) {
	ws := healed(r, fault.MemberRemove, fault.Grow, fault.Wipe)
	if len(ws) == 0 {
		return false, "no membership change was made and undone"
	}
	return true, fmt.Sprintf("%d made and undone: %s", len(ws), names(ws))
}

func nodeReplaced(r Run) (bool, string) {
	ws := healed(r, fault.Wipe)
	if len(ws) == 0 {
		return false, "no node lost its disk and was replaced"
	}
	return true, fmt.Sprintf("%d replaced: %s", len(ws), names(ws))
}

func allRestarted(r Run) (bool, string) {
	n := 0
	var ws []FaultWindow
	for _, w := range r.Faults {
		if w.Fault == nil || w.Error != "" || w.Healing == 0 || w.Fault.HealKind != fault.Start {
			continue
		}
		distinct := map[string]bool{}
		for _, t := range w.Fault.Targets {
			distinct[t] = true
		}
		if len(distinct) >= r.Scenario.Nodes {
			n++
			ws = append(ws, w)
		}
	}
	if n == 0 {
		return false, fmt.Sprintf("no fault window took all %d nodes down and started them again", r.Scenario.Nodes)
	}
	return true, fmt.Sprintf("%d times: %s", n, names(ws))
}
