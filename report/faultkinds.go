package report

import "sort"

// FaultKindStats are the operations invoked during all the fault windows of
// one kind (kill, stop, pause, partition, ...). Info is the figure to watch:
// every unknown operation widens the checker's search and blurs what a
// fault did; a fault that only refuses requests (a killed node reached at
// its container address) should add few.
type FaultKindStats struct {
	Kind    string  `json:"kind"`
	Windows int     `json:"windows"`
	Seconds float64 `json:"seconds"`
	Counts
	// InfoPerWindow is Info / Windows: unknown operations per fault.
	InfoPerWindow float64 `json:"info_per_window"`
}

// kind is the window's fault kind, or the nemesis and "(failed)" when the
// injection failed.
func windowKind(w FaultWindow) string {
	if w.Fault != nil {
		return string(w.Fault.Kind)
	}
	return w.Nemesis + " (failed)"
}

// byFaultKind adds up the fault phases by fault kind, in kind order.
func byFaultKind(phases []PhaseStats) []FaultKindStats {
	idx := map[string]int{}
	var out []FaultKindStats
	for _, p := range phases {
		if p.Kind != PhaseFault {
			continue
		}
		i, ok := idx[p.FaultKind]
		if !ok {
			i = len(out)
			idx[p.FaultKind] = i
			out = append(out, FaultKindStats{Kind: p.FaultKind})
		}
		k := &out[i]
		k.Windows++
		k.Seconds += float64(p.End-p.Start) / 1e9
		k.Ops += p.Ops
		k.OK += p.OK
		k.Mismatch += p.Mismatch
		k.Fail += p.Fail
		k.Info += p.Info
	}
	for i := range out {
		out[i].Seconds = round3(out[i].Seconds)
		out[i].InfoPerWindow = round3(float64(out[i].Info) / float64(out[i].Windows))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}
