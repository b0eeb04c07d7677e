package report

import (
	"math"
	"sort"

	"github.com/raftlab/raftlab/linearizability"
)

// A Phase is a stretch of the run: quiet, or one fault window.
type Phase struct {
	Kind  string `json:"kind"`            // "quiet" or "fault"
	Fault string `json:"fault,omitempty"` // the fault in place ("kill n2"), for a fault phase
	// FaultKind is the fault's kind ("kill", "member-remove", "grow"), or
	// "<nemesis> (failed)" for a window whose injection failed; Heal the
	// event that ended it ("start", "member-add", "shrink"), empty when the
	// injection or the heal failed.
	FaultKind string `json:"fault_kind,omitempty"`
	Heal      string `json:"heal,omitempty"`
	Start     int64  `json:"start_ns"`
	End       int64  `json:"end_ns"`
}

// Phase kinds.
const (
	PhaseQuiet = "quiet"
	PhaseFault = "fault"
)

// buildPhases cuts [start, end) into quiet phases and the fault windows
// (each from just before its injection to just after its heal). Windows
// whose injection failed count as fault phases too: something was tried.
// Empty phases are left out.
func buildPhases(windows []FaultWindow, start, end int64) []Phase {
	var ps []Phase
	t := start
	for _, w := range windows {
		ws, we := max(w.Start, t), min(w.End, end)
		if we <= ws {
			continue
		}
		if ws > t {
			ps = append(ps, Phase{Kind: PhaseQuiet, Start: t, End: ws})
		}
		p := Phase{Kind: PhaseFault, Fault: w.Name(), FaultKind: windowKind(w), Start: ws, End: we}
		if w.Fault != nil && w.Error == "" && w.Healing > 0 {
			p.Heal = string(w.Fault.HealKind)
		}
		ps = append(ps, p)
		t = we
	}
	if end > t {
		ps = append(ps, Phase{Kind: PhaseQuiet, Start: t, End: end})
	}
	return ps
}

// Counts are operation totals by outcome (linearizability.Classify).
type Counts struct {
	Ops int `json:"ops"`
	OK  int `json:"ok"`
	// Mismatch counts the cas operations that found another value: the
	// store answered definitely, so they count as available (they are
	// "fail" in the history, and not in Fail).
	Mismatch int `json:"cas_mismatch"`
	// Fail counts operations refused without effect (no leader, ...).
	Fail int `json:"fail"`
	// Info counts operations whose outcome is unknown (timeouts, lost
	// connections).
	Info int `json:"info"`
}

func (c *Counts) add(o linearizability.Outcome) {
	c.Ops++
	switch o {
	case linearizability.OutcomeOK:
		c.OK++
	case linearizability.OutcomeMismatch:
		c.Mismatch++
	case linearizability.OutcomeFail:
		c.Fail++
	default:
		c.Info++
	}
}

// Stats are availability and latency figures for a set of operations.
type Stats struct {
	Seconds float64 `json:"seconds"`
	Counts
	// OKPerSec is the throughput: successful operations per second.
	OKPerSec float64 `json:"ok_per_sec"`
	// Availability is the share of operations answered definitely: ok or a
	// cas mismatch.
	Availability float64 `json:"availability"`
	// Latencies of the operations answered definitely (ok and cas
	// mismatches), in milliseconds.
	P50ms float64 `json:"p50_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
}

// PhaseStats are the figures of one phase.
type PhaseStats struct {
	Phase
	Stats
}

// accumulator gathers one Stats.
type accumulator struct {
	c   Counts
	lat []float64
}

func (a *accumulator) add(o *linearizability.Operation) {
	oc := o.Outcome()
	a.c.add(oc)
	if oc.Definite() {
		a.lat = append(a.lat, latencyMs(o))
	}
}

func latencyMs(o *linearizability.Operation) float64 { return float64(o.Return-o.Call) / 1e6 }

func (a *accumulator) finish(seconds float64) Stats {
	s := Stats{Counts: a.c, Seconds: round3(seconds)}
	if seconds > 0 {
		s.OKPerSec = round3(float64(s.OK) / seconds)
	}
	if s.Ops > 0 {
		s.Availability = round3(float64(s.OK+s.Mismatch) / float64(s.Ops))
	}
	sort.Float64s(a.lat)
	s.P50ms = round3(percentile(a.lat, 0.50))
	s.P99ms = round3(percentile(a.lat, 0.99))
	if n := len(a.lat); n > 0 {
		s.MaxMs = round3(a.lat[n-1])
	}
	return s
}

// percentile is the nearest-rank percentile of sorted values (0 if none).
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// phaseStats assigns each operation to the phase its invocation falls in
// and returns the figures of every phase and of each kind of phase
// together. Operations invoked outside every phase are left out.
func phaseStats(ops []linearizability.Operation, phases []Phase) ([]PhaseStats, map[string]Stats) {
	accs := make([]accumulator, len(phases))
	byKind := map[string]*accumulator{}
	secs := map[string]float64{}
	for _, p := range phases {
		if byKind[p.Kind] == nil {
			byKind[p.Kind] = &accumulator{}
		}
		secs[p.Kind] += float64(p.End-p.Start) / 1e9
	}
	for i := range ops {
		o := &ops[i]
		j := sort.Search(len(phases), func(j int) bool { return phases[j].End > o.Call })
		if j == len(phases) || o.Call < phases[j].Start {
			continue
		}
		accs[j].add(o)
		byKind[phases[j].Kind].add(o)
	}
	out := make([]PhaseStats, len(phases))
	for i, p := range phases {
		out[i] = PhaseStats{Phase: p, Stats: accs[i].finish(float64(p.End-p.Start) / 1e9)}
	}
	kinds := map[string]Stats{}
	for k, a := range byKind {
		kinds[k] = a.finish(secs[k])
	}
	return out, kinds
}

// countOps totals the operations invoked in [start, end), overall, by f and
// by node.
func countOps(ops []linearizability.Operation, start, end int64) (total Counts, byF, byNode map[string]Counts) {
	byF, byNode = map[string]Counts{}, map[string]Counts{}
	for i := range ops {
		o := &ops[i]
		if o.Call < start || o.Call >= end {
			continue
		}
		oc := o.Outcome()
		total.add(oc)
		c := byF[o.F]
		c.add(oc)
		byF[o.F] = c
		if o.Node != "" {
			c = byNode[o.Node]
			c.add(oc)
			byNode[o.Node] = c
		}
	}
	return total, byF, byNode
}

// A bin is one column of the report's timeline. Definite counts ok and cas
// mismatches (definite answers); latencies are of those.
type bin struct {
	Start, Width         int64 // the last bin may be narrower than the others
	Definite, Fail, Info int
	P50ms, P99ms         float64
}

// timeline cuts [start, end) into bins of width ns (by invocation time). A
// last bin narrower than half a width is merged into the one before: its
// rate would rest on a few milliseconds (a dip to zero at the end).
func timeline(ops []linearizability.Operation, start, end, width int64) []bin {
	if width <= 0 || end <= start {
		return nil
	}
	n := int((end - start + width - 1) / width)
	if n > 1 && end-(start+int64(n-1)*width) < width/2 {
		n--
	}
	bins := make([]bin, n)
	lat := make([][]float64, n)
	for i := range bins {
		bins[i].Start = start + int64(i)*width
		bins[i].Width = width
	}
	bins[n-1].Width = end - bins[n-1].Start
	for i := range ops {
		o := &ops[i]
		if o.Call < start || o.Call >= end {
			continue
		}
		j := min(int((o.Call-start)/width), n-1)
		switch oc := o.Outcome(); {
		case oc.Definite():
			bins[j].Definite++
			lat[j] = append(lat[j], latencyMs(o))
		case oc == linearizability.OutcomeFail:
			bins[j].Fail++
		default:
			bins[j].Info++
		}
	}
	for i := range bins {
		sort.Float64s(lat[i])
		bins[i].P50ms = percentile(lat[i], 0.5)
		bins[i].P99ms = percentile(lat[i], 0.99)
	}
	return bins
}
