package scenarios

import (
	"math"
	"sort"
	"time"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/linearizability"
)

// An opRecord is an operation of the history: its invocation and completion.
type opRecord struct {
	F, Key, Node string
	Invoke       int64
	Complete     int64  // -1: no completion (counts as info)
	Type         string // ok, fail or info
	// Mismatch: a cas that failed because it found another value (a
	// definite answer, unlike other failures).
	Mismatch bool
}

func (o opRecord) latency() time.Duration { return time.Duration(o.Complete - o.Invoke) }

// pairOps joins the client events of a history into operations, in
// invocation order. Nemesis events are skipped.
func pairOps(events []linearizability.Event) []opRecord {
	var ops []opRecord
	pending := map[int]int{}
	for _, e := range events {
		if e.IsNemesis() {
			continue
		}
		if e.Type == linearizability.TypeInvoke {
			pending[e.Process] = len(ops)
			ops = append(ops, opRecord{F: e.F, Key: e.Key, Node: e.Node, Invoke: e.Time, Complete: -1, Type: linearizability.TypeInfo})
			continue
		}
		if i, ok := pending[e.Process]; ok {
			ops[i].Complete, ops[i].Type = e.Time, e.Type
			ops[i].Mismatch = e.F == linearizability.FCAS && e.Type == linearizability.TypeFail && e.Error == ""
			delete(pending, e.Process)
		}
	}
	return ops
}

// A Phase is a stretch of the run: quiet, or one fault window.
type Phase struct {
	Kind  string `json:"kind"`            // "quiet" or "fault"
	Fault string `json:"fault,omitempty"` // the fault in place ("kill n2"), for a fault phase
	Start int64  `json:"start_ns"`
	End   int64  `json:"end_ns"`
}

// Phase kinds.
const (
	PhaseQuiet = "quiet"
	PhaseFault = "fault"
)

// buildPhases cuts [start, end) into quiet phases and the fault windows
// (each from just before its injection to just after its heal). Windows
// whose injection failed count as fault phases too: something was tried.
func buildPhases(windows []chaos.Window, start, end int64) []Phase {
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
		name := w.Nemesis + " (failed: " + w.Error + ")"
		if w.Fault != nil {
			name = w.Fault.String()
		}
		ps = append(ps, Phase{Kind: PhaseFault, Fault: name, Start: ws, End: we})
		t = we
	}
	if end > t {
		ps = append(ps, Phase{Kind: PhaseQuiet, Start: t, End: end})
	}
	return ps
}

// Stats are availability and latency figures for a set of operations.
type Stats struct {
	Seconds float64 `json:"seconds"`
	Ops     int     `json:"ops"`
	OK      int     `json:"ok"`
	// Mismatch counts the cas operations that found another value: the
	// store answered definitely, so they count as available (they are
	// "fail" in the history, and not in Fail).
	Mismatch int `json:"cas_mismatch"`
	// Fail counts operations refused without effect (no leader, ...).
	Fail int `json:"fail"`
	// Info counts operations whose outcome is unknown (timeouts, lost
	// connections).
	Info int `json:"info"`
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
	s   Stats
	lat []float64
}

func (a *accumulator) add(o opRecord) {
	a.s.Ops++
	switch {
	case o.Mismatch:
		a.s.Mismatch++
		a.lat = append(a.lat, float64(o.latency())/1e6)
	case o.Type == linearizability.TypeOk:
		a.s.OK++
		a.lat = append(a.lat, float64(o.latency())/1e6)
	case o.Type == linearizability.TypeFail:
		a.s.Fail++
	default:
		a.s.Info++
	}
}

func (a *accumulator) finish(seconds float64) Stats {
	s := a.s
	s.Seconds = round3(seconds)
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
func phaseStats(ops []opRecord, phases []Phase) ([]PhaseStats, map[string]Stats) {
	accs := make([]accumulator, len(phases))
	byKind := map[string]*accumulator{}
	secs := map[string]float64{}
	for _, p := range phases {
		if byKind[p.Kind] == nil {
			byKind[p.Kind] = &accumulator{}
		}
		secs[p.Kind] += float64(p.End-p.Start) / 1e9
	}
	for _, o := range ops {
		i := sort.Search(len(phases), func(i int) bool { return phases[i].End > o.Invoke })
		if i == len(phases) || o.Invoke < phases[i].Start {
			continue
		}
		accs[i].add(o)
		byKind[phases[i].Kind].add(o)
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

// Counts are operation totals by outcome, as in Stats.
type Counts struct {
	Ops      int `json:"ops"`
	OK       int `json:"ok"`
	Mismatch int `json:"cas_mismatch"`
	Fail     int `json:"fail"`
	Info     int `json:"info"`
}

func (c *Counts) add(o opRecord) {
	c.Ops++
	switch {
	case o.Mismatch:
		c.Mismatch++
	case o.Type == linearizability.TypeOk:
		c.OK++
	case o.Type == linearizability.TypeFail:
		c.Fail++
	default:
		c.Info++
	}
}

// countOps totals the operations invoked in [start, end), overall and by f.
func countOps(ops []opRecord, start, end int64) (Counts, map[string]Counts) {
	var total Counts
	byF := map[string]Counts{}
	for _, o := range ops {
		if o.Invoke < start || o.Invoke >= end {
			continue
		}
		total.add(o)
		c := byF[o.F]
		c.add(o)
		byF[o.F] = c
	}
	return total, byF
}

// A bin is one column of the report's timeline. OK counts cas mismatches
// too (definite answers); latencies are of those.
type bin struct {
	Start          int64
	OK, Fail, Info int
	P50ms, P99ms   float64
}

// timeline cuts [start, end) into bins of width ns (by invocation time).
func timeline(ops []opRecord, start, end, width int64) []bin {
	if width <= 0 || end <= start {
		return nil
	}
	n := int((end - start + width - 1) / width)
	bins := make([]bin, n)
	lat := make([][]float64, n)
	for i := range bins {
		bins[i].Start = start + int64(i)*width
	}
	for _, o := range ops {
		if o.Invoke < start || o.Invoke >= end {
			continue
		}
		i := int((o.Invoke - start) / width)
		switch {
		case o.Mismatch || o.Type == linearizability.TypeOk:
			bins[i].OK++
			lat[i] = append(lat[i], float64(o.latency())/1e6)
		case o.Type == linearizability.TypeFail:
			bins[i].Fail++
		default:
			bins[i].Info++
		}
	}
	for i := range bins {
		sort.Float64s(lat[i])
		bins[i].P50ms = percentile(lat[i], 0.5)
		bins[i].P99ms = percentile(lat[i], 0.99)
	}
	return bins
}
