package report

import (
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
)

// maxAgreedRows bounds the convergence table's rows of keys that agreed:
// with thousands of keys the interesting rows (diverged, not read) come
// first and the rest is counted.
const maxAgreedRows = 20

type keyRow struct {
	Key string
	linearizability.KeyResult
}

type convRow struct {
	Key    string
	Final  string
	Values []string
	State  string // "agreed", "diverged" or "not read"
}

type kindRow struct {
	Kind string
	Stats
}

type nodeRow struct {
	NodeFigures
	Counts  Counts
	HasFigs bool
}

// page is what the template gets.
type page struct {
	S              *Summary
	Class          string
	Timeline       template.HTML
	Kinds          []kindRow
	Keys           []keyRow
	KeysHidden     int // linearizable keys left out of the table (long runs rotate through thousands)
	Nodes          []string
	Conv           []convRow
	ConvAgreed     int
	ConvHidden     int
	NodeRows       []nodeRow
	Counterexample *Counterexample
	// Anomalies shown (the first maxAnomalyRows; summary.json has up to
	// readcheck.MaxAnomalies), AnomaliesHidden the rest.
	Anomalies       []readcheck.Anomaly
	AnomaliesHidden int
}

// maxAnomalyRows bounds the anomalies drawn in the report's first screen and
// on the timeline.
const maxAnomalyRows = 10

// WriteHTML writes report.html: the verdict first, then the optional
// counterexample, the timeline, the per-phase table, per-key verdicts,
// explanations, convergence, the optional node panel and the faults. It is
// a pure rendering of the input and its summary (see Summarize).
func WriteHTML(w io.Writer, in Input, s *Summary) error {
	p := page{S: s, Counterexample: in.Counterexample}
	p.Class = "bad"
	switch {
	case s.AsExpected && s.Expect.MustFail():
		p.Class = "expected"
	case s.AsExpected:
		p.Class = "ok"
	case s.Interrupted || (s.Verdict == linearizability.Unknown || len(s.Convergence.NotRead) > 0) &&
		s.Verdict != linearizability.NotLinearizable && !s.Diverged():
		p.Class = "unknown"
	}
	var marks []timelineMark
	for i, a := range s.Anomalies {
		if i == maxAnomalyRows {
			break
		}
		marks = append(marks, timelineMark{At: a.Time, Label: fmt.Sprintf("%d. %s on key %s: %s", i+1, a.Kind, a.Key, a.Text)})
	}
	p.Timeline = template.HTML(timelineSVG(in.Operations, s.Windows, in.WorkStart, in.WorkEnd, marks...))
	p.Anomalies = s.Anomalies
	if len(p.Anomalies) > maxAnomalyRows {
		p.Anomalies, p.AnomaliesHidden = p.Anomalies[:maxAnomalyRows], s.AnomaliesTotal-maxAnomalyRows
	} else {
		p.AnomaliesHidden = s.AnomaliesTotal - len(p.Anomalies)
	}
	for _, k := range []string{PhaseQuiet, PhaseFault} {
		if st, ok := s.Phases[k]; ok {
			p.Kinds = append(p.Kinds, kindRow{k, st})
		}
	}
	// Keys that are not linearizable first, then the others up to
	// maxKeyRows: with key rotation a long run checks thousands of keys,
	// all of them in summary.json.
	ordered := keysInOrder(s.KeyVerdicts)
	sort.SliceStable(ordered, func(i, j int) bool {
		return s.KeyVerdicts[ordered[i]].Verdict != linearizability.Linearizable &&
			s.KeyVerdicts[ordered[j]].Verdict == linearizability.Linearizable
	})
	for _, k := range ordered {
		if len(p.Keys) >= maxKeyRows && s.KeyVerdicts[k].Verdict == linearizability.Linearizable {
			p.KeysHidden++
			continue
		}
		p.Keys = append(p.Keys, keyRow{k, s.KeyVerdicts[k]})
	}
	for i := range s.Nodes {
		p.Nodes = append(p.Nodes, fmt.Sprintf("n%d", i+1))
	}
	p.Conv, p.ConvAgreed, p.ConvHidden = convRows(s.Convergence, p.Nodes)
	if len(s.NodeFigures) > 0 {
		for _, nf := range s.NodeFigures {
			p.NodeRows = append(p.NodeRows, nodeRow{NodeFigures: nf, Counts: s.ByNode[nf.ID], HasFigs: nf.State != ""})
		}
	}
	return reportTmpl.Execute(w, p)
}

// maxKeyRows bounds the rows of linearizable keys in the key table (the
// template likewise collapses the list of phases beyond 40).
const maxKeyRows = 40

// convRows lists the keys that diverged, then those not read everywhere,
// then up to maxAgreedRows that agreed; it returns how many agreed and how
// many agreed rows were left out.
func convRows(c Convergence, nodes []string) (rows []convRow, agreed, hidden int) {
	state := map[string]string{}
	for _, k := range c.Diverged {
		state[k] = "diverged"
	}
	for _, k := range c.NotRead {
		state[k] = "not read"
	}
	keys := map[string]bool{}
	for k := range c.Final {
		keys[k] = true
	}
	for k := range c.Values {
		keys[k] = true
	}
	ordered := keysInOrder(keys)
	rank := map[string]int{"diverged": 0, "not read": 1, "": 2}
	sort.SliceStable(ordered, func(i, j int) bool { return rank[state[ordered[i]]] < rank[state[ordered[j]]] })
	for _, k := range ordered {
		st := state[k]
		if st == "" {
			st = "agreed"
			agreed++
			if agreed > maxAgreedRows {
				hidden++
				continue
			}
		}
		row := convRow{Key: k, Final: showValue(c.Final, k), State: st}
		for _, n := range nodes {
			row.Values = append(row.Values, showValue(c.Values[k], n))
		}
		rows = append(rows, row)
	}
	return rows, agreed, hidden
}

func showValue(m map[string]*string, k string) string {
	v, ok := m[k]
	switch {
	case !ok:
		return "not read"
	case v == nil:
		return "absent"
	default:
		return *v
	}
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"sec":  func(ns int64) string { return fmt.Sprintf("%.2fs", float64(ns)/1e9) },
	"pct":  func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) },
	"ms":   func(ns time.Duration) string { return fmt.Sprintf("%.0f ms", float64(ns)/1e6) },
	"inc":  func(i int) int { return i + 1 },
	"secs": func(ns int64) string { return fmt.Sprintf("%.3fs", float64(ns)/1e9) },
	"idx": func(xs []int64) string {
		var parts []string
		for _, x := range xs {
			parts = append(parts, fmt.Sprint(x))
		}
		return strings.Join(parts, ", ")
	},
	"join": strings.Join,
}).Parse(reportHTML))
