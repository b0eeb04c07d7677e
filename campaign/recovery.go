package campaign

import "github.com/raftlab/raftlab/report"

// KindRecovery is one fault kind's recovery figures over a campaign's runs:
// the median over the runs of each run's median (report.RecoveryStats),
// the worst single window, and elections per window over all windows.
type KindRecovery struct {
	Kind               string   `json:"kind"`
	Runs               int      `json:"runs"`
	Windows            int      `json:"windows"`
	FirstAckMedian     *float64 `json:"first_ack_write_median_s,omitempty"`
	FirstAckWorst      *float64 `json:"first_ack_write_worst_s,omitempty"`
	NoAck              int      `json:"no_ack_write"`
	FullStrengthMedian *float64 `json:"full_strength_median_s,omitempty"`
	FullStrengthWorst  *float64 `json:"full_strength_worst_s,omitempty"`
	NotFull            int      `json:"not_full_strength"`
	ElectionsPerWindow float64  `json:"elections_per_window"`
}

// Recovery adds up the runs' recovery figures per fault kind, in the order
// kinds first appear.
func Recovery(results []Result) []KindRecovery {
	type acc struct {
		KindRecovery
		ack, full, ackW, fullW []float64
		elections              uint64
		measured               int
	}
	idx := map[string]int{}
	var out []*acc
	for _, r := range results {
		for _, s := range r.Recovery {
			i, ok := idx[s.Kind]
			if !ok {
				i = len(out)
				idx[s.Kind] = i
				out = append(out, &acc{KindRecovery: KindRecovery{Kind: s.Kind}})
			}
			a := out[i]
			a.Runs++
			a.Windows += s.Windows
			a.NoAck += s.NoAck
			a.NotFull += s.NotFull
			if s.FirstAckMedian != nil {
				a.ack = append(a.ack, *s.FirstAckMedian)
				a.ackW = append(a.ackW, *s.FirstAckMax)
			}
			if s.FullStrengthMedian != nil {
				a.full = append(a.full, *s.FullStrengthMedian)
				a.fullW = append(a.fullW, *s.FullStrengthMax)
			}
			a.elections += s.Elections
			a.measured += s.Measured
		}
	}
	var res []KindRecovery
	for _, a := range out {
		a.FirstAckMedian, a.FirstAckWorst = report.Median(a.ack), report.Max(a.ackW)
		a.FullStrengthMedian, a.FullStrengthWorst = report.Median(a.full), report.Max(a.fullW)
		if a.measured > 0 {
			a.ElectionsPerWindow = float64(int(float64(a.elections)/float64(a.measured)*100+0.5)) / 100
		}
		res = append(res, a.KindRecovery)
	}
	return res
}
