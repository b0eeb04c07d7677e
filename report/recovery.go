package report

import (
	"slices"
	"sort"

	"github.com/raftlab/raftlab/linearizability"
)

// RecoveryStats are the recovery figures of one fault kind, over its
// windows whose fault was injected (summary.json "recovery"):
//
//   - first acknowledged write: seconds from the fault being in place to the
//     first write (set, delete, cas) that completed ok after it, searched
//     until the next fault window (or the end of the workload); windows with
//     none are NoAck. Small for a follower's fault, an election for the
//     leader's.
//   - full strength: seconds from the start of the heal until every node
//     answered /status, agreed on one leader and had applied what that
//     leader had committed, polled every 100 ms after the heal until the
//     next window, at least a second (chaos.Window.FullStrength); windows
//     watched but never seen whole are NotFull.
//   - elections: the rise of the highest raft term from just before the
//     injection to full strength (or the next window), summed; each
//     election (won or not) raises the term by one.
type RecoveryStats struct {
	Kind    string `json:"kind"`
	Windows int    `json:"windows"`

	FirstAckMedian *float64 `json:"first_ack_write_median_s,omitempty"`
	FirstAckMax    *float64 `json:"first_ack_write_max_s,omitempty"`
	NoAck          int      `json:"no_ack_write"`

	FullStrengthMedian *float64 `json:"full_strength_median_s,omitempty"`
	FullStrengthMax    *float64 `json:"full_strength_max_s,omitempty"`
	NotFull            int      `json:"not_full_strength"`
	// NotWatched: windows whose recovery was not watched (a heal that
	// failed, runs recorded before these figures): neither whole nor not.
	NotWatched int `json:"not_watched,omitempty"`

	// Elections sums the windows' term rises; Measured is how many windows
	// had both terms (runs recorded before these figures have none).
	Elections          uint64  `json:"elections"`
	ElectionsPerWindow float64 `json:"elections_per_window"`
	Measured           int     `json:"elections_measured"`
}

// recoveryByKind computes the recovery figures per fault kind, in the
// order kinds first appear. ops are the history's operations.
func recoveryByKind(faults []FaultWindow, ops []linearizability.Operation, workEnd int64) []RecoveryStats {
	// Acknowledged writes by completion time.
	var acks []int64
	for _, o := range ops {
		if o.Type == linearizability.TypeOk && o.F != linearizability.FGet && o.Return > 0 {
			acks = append(acks, o.Return)
		}
	}
	slices.Sort(acks)
	type acc struct {
		RecoveryStats
		ack, full []float64
	}
	idx := map[string]int{}
	var out []*acc
	for i, w := range faults {
		if w.Fault == nil {
			continue
		}
		kind := string(w.Fault.Kind)
		k, ok := idx[kind]
		if !ok {
			k = len(out)
			idx[kind] = k
			out = append(out, &acc{RecoveryStats: RecoveryStats{Kind: kind}})
		}
		a := out[k]
		a.Windows++
		until := workEnd
		if i+1 < len(faults) {
			until = faults[i+1].Start
		}
		j := sort.Search(len(acks), func(j int) bool { return acks[j] >= w.Injected })
		if j < len(acks) && acks[j] <= until {
			a.ack = append(a.ack, float64(acks[j]-w.Injected)/1e9)
		} else {
			a.NoAck++
		}
		switch {
		case w.FullStrength > 0 && w.Healing > 0:
			a.full = append(a.full, float64(w.FullStrength-w.Healing)/1e9)
		case w.RecoveryWatched > 0:
			a.NotFull++
		default:
			a.NotWatched++ // healed with an error, or recorded before these figures
		}
		if w.TermBefore > 0 && w.TermAfter > 0 {
			a.Measured++
			if w.TermAfter > w.TermBefore {
				a.Elections += w.TermAfter - w.TermBefore
			}
		}
	}
	var res []RecoveryStats
	for _, a := range out {
		a.FirstAckMedian, a.FirstAckMax = median3(a.ack), max3(a.ack)
		a.FullStrengthMedian, a.FullStrengthMax = median3(a.full), max3(a.full)
		if a.Measured > 0 {
			a.ElectionsPerWindow = round3(float64(a.Elections) / float64(a.Measured))
		}
		res = append(res, a.RecoveryStats)
	}
	return res
}

// Median is the median of xs (the mean of the middle two for an even
// count), nil when xs is empty. Campaigns add recovery figures up with it too.
func Median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	v := s[len(s)/2]
	if len(s)%2 == 0 {
		v = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &v
}

// Max is the largest of xs, nil when xs is empty.
func Max(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	v := slices.Max(xs)
	return &v
}

// median3 is Median rounded to three decimals (a run's figures, in seconds).
func median3(xs []float64) *float64 { return rounded3(Median(xs)) }

// max3 is Max rounded to three decimals.
func max3(xs []float64) *float64 { return rounded3(Max(xs)) }

func rounded3(v *float64) *float64 {
	if v == nil {
		return nil
	}
	r := round3(*v)
	return &r
}
