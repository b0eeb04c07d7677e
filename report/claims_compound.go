package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/raftlab/raftlab/fault"
)

// Claims of the compound, leader-transfer and operator-error scenarios
// (issue 16).
const (
	// ClaimCompound: a window held several faults at once (a compound
	// window with at least two parts) and every part was healed.
	ClaimCompound Claim = "compound-window"
	// ClaimLeaderTransferred: leadership was moved through the store
	// (POST /leader/transfer) in a healed window; the detail sums the
	// transfers the windows counted.
	ClaimLeaderTransferred Claim = "leadership-transferred"
	// ClaimOperatorError: a node lost one of its two directories, or had
	// one put back from an old copy, and was started again (it rebuilt or
	// started as it was: healed by "start") or refused and was replaced
	// (healed by "member-add"); the detail says which.
	ClaimOperatorError Claim = "operator-disk-error"
)

// The rules are added to claimRules here, so that claims.go stays as it was.
func init() {
	claimRules[ClaimCompound] = compoundWindow
	claimRules[ClaimLeaderTransferred] = leaderTransferred
	claimRules[ClaimOperatorError] = operatorError
}

// healedParts lists the healed faults of kind among the windows' faults and
// the parts of compound windows.
func healedParts(r Run, kinds ...fault.Kind) []Fault {
	var out []Fault
	for _, w := range r.Faults {
		if w.Fault == nil || w.Error != "" || w.Healing == 0 {
			continue
		}
		fs := []Fault{*w.Fault}
		if len(w.Fault.Parts) > 0 {
			fs = w.Fault.Parts
		}
		for _, f := range fs {
			for _, k := range kinds {
				if f.Kind == k {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

func compoundWindow(r Run) (bool, string) {
	var names []string
	for _, w := range r.Faults {
		if w.Fault != nil && w.Error == "" && w.Healing > 0 && len(w.Fault.Parts) >= 2 {
			names = append(names, w.Fault.String()+" → "+string(w.Fault.HealKind))
		}
	}
	if len(names) == 0 {
		return false, "no window held several faults and healed them all"
	}
	return true, fmt.Sprintf("%d compound windows: %s", len(names), strings.Join(names, "; "))
}

func leaderTransferred(r Run) (bool, string) {
	fs := healedParts(r, fault.Transfer)
	if len(fs) == 0 {
		return false, "no leadership transfer window was injected and healed"
	}
	total := 0
	for _, f := range fs {
		// Detail: "N leadership transfers[, M refused ...]".
		n, _ := strconv.Atoi(strings.Fields(f.Detail + " 0")[0])
		total += n
	}
	if total == 0 {
		return false, fmt.Sprintf("%d transfer windows, but no transfer counted", len(fs))
	}
	return true, fmt.Sprintf("%d leadership transfers in %d windows", total, len(fs))
}

func operatorError(r Run) (bool, string) {
	fs := healedParts(r, fault.DirLost, fault.DirOld)
	if len(fs) == 0 {
		return false, "no node lost a directory or had an old copy put back"
	}
	var s []string
	for _, f := range fs {
		how := "started again"
		if f.HealKind == fault.MemberAdd {
			how = "refused to start, replaced"
		}
		s = append(s, fmt.Sprintf("%s %s: %s", f.Kind, f.Value, how))
	}
	return true, fmt.Sprintf("%d: %s", len(fs), strings.Join(s, "; "))
}
