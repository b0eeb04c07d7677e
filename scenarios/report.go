package scenarios

import (
	"bufio"
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/raftlab/raftlab/linearizability"
)

// writeArtifacts writes history.jsonl, history.html, report.html and
// summary.json into the run's folder (summary last, so its presence means
// the others are complete).
func (r *run) writeArtifacts() error {
	dir := r.o.Out
	r.prog.setStage("writing report")
	events := r.rec.Events()
	if err := writeFile(filepath.Join(dir, HistoryFile), func(w io.Writer) error {
		return linearizability.WriteJSONL(w, events)
	}); err != nil {
		return err
	}
	// The picture re-runs the search of each key to draw its (partial)
	// linearization; a shorter budget than the checker's keeps violations
	// cheap to draw, at worst with a shorter partial order.
	dopts := linearizability.DrawOptions{Timeout: min(r.o.CheckTimeout, 5*time.Second)}
	err := writeFile(filepath.Join(dir, VisualFile), func(w io.Writer) error {
		if r.result != nil {
			return r.result.WriteHTML(w, dopts)
		}
		return linearizability.Draw(w, events, dopts)
	})
	if err != nil {
		r.sum.Errors = append(r.sum.Errors, "visualization: "+err.Error())
	} else {
		r.sum.Artifacts.Visualization = VisualFile
	}
	r.sum.Timings.Total = secs(time.Since(r.begin))
	rd := reportData{Summary: r.sum, Ops: r.ops, WorkStart: r.workStart, WorkEnd: r.workEnd}
	if err := writeFile(filepath.Join(dir, ReportFile), rd.write); err != nil {
		return err
	}
	return writeJSON(filepath.Join(dir, SummaryFile), r.sum)
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("scenarios: %w", err)
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		f.Close()
		return fmt.Errorf("scenarios: writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("scenarios: writing %s: %w", path, err)
	}
	return f.Close()
}

// reportData is what report.html is made of.
type reportData struct {
	Summary            *Summary
	Ops                []opRecord
	WorkStart, WorkEnd int64
}

// WriteReport writes report.html for a summary and its history: the
// verdict first, then the timeline, the per-phase table, per-key verdicts,
// explanations, convergence and faults. Run calls it; it is exported so a
// report can be rebuilt from summary.json and history.jsonl.
func WriteReport(w io.Writer, sum *Summary, events []linearizability.Event) error {
	ops := pairOps(events)
	var end int64
	for _, o := range ops {
		end = max(end, o.Invoke)
	}
	start := int64(0)
	if len(sum.Windows) > 0 {
		start, end = sum.Windows[0].Start, sum.Windows[len(sum.Windows)-1].End
	}
	return reportData{Summary: sum, Ops: ops, WorkStart: start, WorkEnd: end}.write(w)
}

type keyRow struct {
	Key string
	linearizability.KeyResult
}

type convRow struct {
	Key      string
	Final    string
	Values   []string
	Diverged bool
}

func (rd reportData) write(w io.Writer) error {
	s := rd.Summary
	class := "bad"
	switch {
	case s.AsExpected && s.Expect == ExpectViolation:
		class = "expected"
	case s.AsExpected:
		class = "ok"
	case s.Verdict == linearizability.Unknown || s.Interrupted:
		class = "unknown"
	}
	var keys []keyRow
	for k, kr := range s.KeyVerdicts {
		keys = append(keys, keyRow{k, kr})
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Key < keys[j].Key })
	var nodes []string
	for i := range s.Nodes {
		nodes = append(nodes, fmt.Sprintf("n%d", i+1))
	}
	var conv []convRow
	for _, k := range keyNames(s.Keys) {
		row := convRow{Key: k, Final: showValue(s.Convergence.Final, k)}
		for _, n := range nodes {
			row.Values = append(row.Values, showValue(s.Convergence.Values[k], n))
		}
		for _, d := range s.Convergence.Diverged {
			row.Diverged = row.Diverged || d == k
		}
		conv = append(conv, row)
	}
	var kinds []struct {
		Kind string
		Stats
	}
	for _, k := range []string{PhaseQuiet, PhaseFault} {
		if st, ok := s.Phases[k]; ok {
			kinds = append(kinds, struct {
				Kind string
				Stats
			}{k, st})
		}
	}
	data := map[string]any{
		"S":        s,
		"Class":    class,
		"Timeline": template.HTML(timelineSVG(rd.Ops, s.Windows, rd.WorkStart, rd.WorkEnd)),
		"Kinds":    kinds,
		"Keys":     keys,
		"Nodes":    nodes,
		"Conv":     conv,
	}
	return reportTmpl.Execute(w, data)
}

func showValue(m map[string]*string, k string) string {
	v, ok := m[k]
	switch {
	case !ok:
		return "?"
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
	"join": strings.Join,
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>raftlab {{.S.Scenario}}: {{.S.Verdict}}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1040px;color:#222;padding:0 12px}
h1{font-size:22px;margin:0 0 8px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.verdict{font-size:19px;font-weight:600;padding:14px 16px;border-radius:6px;margin:12px 0}
.ok{background:#dff5e1;border:1px solid #7cc383}.bad{background:#fde0e0;border:1px solid #e08080}
.expected{background:#fff3d6;border:1px solid #e0b650}.unknown{background:#eee;border:1px solid #aaa}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}tr.fault td{background:#fff4f0}tr.diverged td{background:#fde0e0}
pre{background:#f7f7f7;border:1px solid #ddd;padding:10px;overflow:auto;font-size:12.5px}
.meta{color:#555}.err{color:#b00}
</style></head><body>
<h1>raftlab scenario <code>{{.S.Scenario}}</code></h1>
<div class="verdict {{.Class}}" id="verdict">{{.S.Outcome}}</div>
<p class="meta">{{.S.Description}}<br>
seed <b>{{.S.Seed}}</b> · started {{.S.Started.Format "2006-01-02 15:04:05 MST"}} · {{.S.Nodes}} nodes · {{.S.Clients}} clients · {{.S.Keys}} keys ·
reads <b>{{.S.ReadLevel}}</b> · workload {{.S.Duration}}s (quiet {{.S.QuietWindow}}s / fault {{.S.FaultWindow}}s) · nemeses {{join .S.Nemeses ", "}} · expect {{.S.Expect}}</p>
<p>Artifacts: {{if .S.Artifacts.Visualization}}<a href="{{.S.Artifacts.Visualization}}">history.html</a> (porcupine's linearization picture, fault windows drawn in) · {{end}}<a href="{{.S.Artifacts.History}}">history.jsonl</a> ·
<a href="{{.S.Artifacts.Summary}}">summary.json</a> · <a href="{{.S.Artifacts.RunLog}}">run.log</a> · <a href="{{.S.Artifacts.NodeLogs}}/">node logs</a></p>
<p class="meta">Replay: <code>go run ./cmd/chaoslab run --scenario {{.S.Scenario}} --seed {{.S.Seed}} --duration {{.S.Duration}}s --nodes {{.S.Nodes}} --clients {{.S.Clients}}{{if .S.NodeSrc}} --node-src {{.S.NodeSrc}}{{end}}</code> (same faults and operations; real timing differs)</p>
{{with .S.Errors}}<h2 class="err">Problems during the run</h2><ul>{{range .}}<li class="err">{{.}}</li>{{end}}</ul>{{end}}
{{with .S.Explanations}}<h2>Why it is not linearizable</h2>{{range .}}<pre>{{.}}</pre>{{end}}{{end}}

<h2>Timeline</h2>
{{.Timeline}}

<h2>Availability and latency by phase</h2>
<p class="meta">Operations count in the phase their invocation falls in. cas≠: a cas that found another value (a definite answer, counted as available).
fail: refused without effect; info: outcome unknown. Latency is of the definite answers (ok and cas≠).
A fault phase runs from just before the injection to just after the heal.</p>
<table><tr><th class="l">phase</th><th>seconds</th><th>ops</th><th>ok</th><th>cas≠</th><th>fail</th><th>info</th><th>ok/s</th><th>available</th><th>p50</th><th>p99</th><th>max</th></tr>
{{range .Kinds}}<tr{{if eq .Kind "fault"}} class="fault"{{end}}><td class="l"><b>all {{.Kind}}</b></td><td>{{printf "%.1f" .Seconds}}</td><td>{{.Ops}}</td><td>{{.OK}}</td><td>{{.Mismatch}}</td><td>{{.Fail}}</td><td>{{.Info}}</td><td>{{printf "%.0f" .OKPerSec}}</td><td>{{pct .Availability}}</td><td>{{printf "%.1f" .P50ms}} ms</td><td>{{printf "%.1f" .P99ms}} ms</td><td>{{printf "%.0f" .MaxMs}} ms</td></tr>
{{end}}{{range .S.Windows}}<tr{{if eq .Kind "fault"}} class="fault"{{end}}><td class="l">{{sec .Start}}–{{sec .End}} {{if .Fault}}{{.Fault}}{{else}}quiet{{end}}</td><td>{{printf "%.1f" .Seconds}}</td><td>{{.Ops}}</td><td>{{.OK}}</td><td>{{.Mismatch}}</td><td>{{.Fail}}</td><td>{{.Info}}</td><td>{{printf "%.0f" .OKPerSec}}</td><td>{{pct .Availability}}</td><td>{{printf "%.1f" .P50ms}} ms</td><td>{{printf "%.1f" .P99ms}} ms</td><td>{{printf "%.0f" .MaxMs}} ms</td></tr>
{{end}}</table>
<p class="meta">Workload totals: {{.S.Counts.Ops}} operations, {{.S.Counts.OK}} ok, {{.S.Counts.Mismatch}} cas≠, {{.S.Counts.Fail}} fail, {{.S.Counts.Info}} info (unknown outcome).
{{range $f, $c := .S.ByF}} {{$f}}: {{$c.OK}}/{{$c.Ops}} ok;{{end}}
Final reads: {{.S.FinalReads.OK}} ok of {{.S.FinalReads.Ops}}.</p>

<h2>Linearizability by key</h2>
{{if .Keys}}<table><tr><th class="l">key</th><th class="l">verdict</th><th>operations</th><th>checked</th><th>unknown outcome</th><th>pruned</th><th>time</th><th class="l">note</th></tr>
{{range .Keys}}<tr><td class="l">{{.Key}}</td><td class="l">{{.Verdict}}</td><td>{{.Operations}}</td><td>{{.Checked}}</td><td>{{.Unknown}}</td><td>{{.Pruned}}</td><td>{{ms .Elapsed}}</td><td class="l">{{.Reason}}</td></tr>
{{end}}</table>{{else}}<p>Not checked.</p>{{end}}

<h2>Convergence</h2>
<p>{{if .S.Convergence.Converged}}Every node's stale read of every key agreed with the final linearizable read after {{.S.Convergence.Waited}}s.{{else}}<span class="err">The replicas did not agree within {{.S.Convergence.Waited}}s.</span>{{end}}</p>
<table><tr><th class="l">key</th><th class="l">final (linearizable)</th>{{range .Nodes}}<th class="l">{{.}} (stale)</th>{{end}}</tr>
{{range .Conv}}<tr{{if .Diverged}} class="diverged"{{end}}><td class="l">{{.Key}}</td><td class="l">{{.Final}}</td>{{range .Values}}<td class="l">{{.}}</td>{{end}}</tr>
{{end}}</table>

<h2>Faults</h2>
{{if .S.Faults}}<table><tr><th class="l">nemesis</th><th class="l">fault</th><th>start</th><th>in place</th><th>healing</th><th>end</th><th class="l">error</th></tr>
{{range .S.Faults}}<tr><td class="l">{{.Nemesis}}</td><td class="l">{{with .Fault}}{{.String}}{{end}}</td><td>{{sec .Start}}</td><td>{{sec .Injected}}</td><td>{{sec .Healing}}</td><td>{{sec .End}}</td><td class="l err">{{.Error}}</td></tr>
{{end}}</table>{{else}}<p>No faults.</p>{{end}}
<p class="meta">Timings: cluster start {{.S.Timings.ClusterStart}}s · workload {{.S.Timings.Workload}}s · recovery {{.S.Timings.Recovery}}s · final reads {{.S.Timings.FinalReads}}s · convergence {{.S.Timings.Convergence}}s · cluster close {{.S.Timings.ClusterClose}}s · check {{.S.Timings.Check}}s · total {{.S.Timings.Total}}s</p>
</body></html>
`))

// timelineSVG draws throughput (ok, fail and info per second) and latency
// (p50 and p99 of ok operations, log scale) over the workload, with fault
// phases shaded and labelled.
func timelineSVG(ops []opRecord, phases []PhaseStats, start, end int64) string {
	if end <= start {
		return "<p>No workload.</p>"
	}
	const (
		W, left, right = 1000, 60, 20
		top, panelH    = 20, 150
		gap            = 40
		H              = top + 2*panelH + gap + 40
	)
	span := end - start
	width := max(int64(100*time.Millisecond), span/150)
	bins := timeline(ops, start, end, width)
	x := func(t int64) float64 { return left + float64(t-start)/float64(span)*float64(W-left-right) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`, W, H, W, H)
	// Fault shading across both panels.
	for _, p := range phases {
		if p.Kind != PhaseFault {
			continue
		}
		x0, x1 := x(p.Start), x(p.End)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#ffd9c7" opacity="0.7"><title>%s</title></rect>`,
			x0, top, math.Max(x1-x0, 1), 2*panelH+gap, html.EscapeString(p.Fault))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#a04010">%s</text>`, x0+2, top-5, html.EscapeString(p.Fault))
	}
	// Throughput panel.
	sec := float64(width) / 1e9
	maxRate := 1.0
	for _, bn := range bins {
		maxRate = math.Max(maxRate, float64(bn.OK+bn.Fail+bn.Info)/sec)
	}
	maxRate = niceCeil(maxRate)
	y1 := func(v float64) float64 { return top + panelH - v/maxRate*panelH }
	panelFrame(&b, left, top, W-left-right, panelH)
	for _, v := range []float64{0, maxRate / 2, maxRate} {
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%.0f</text>`, left-4, y1(v)+4, v)
	}
	fmt.Fprintf(&b, `<text x="12" y="%d" transform="rotate(-90 12 %d)" text-anchor="middle">ops/s</text>`, top+panelH/2, top+panelH/2)
	series := []struct {
		color, name string
		val         func(bin) float64
	}{
		{"#2a9d3a", "ok+cas≠", func(bn bin) float64 { return float64(bn.OK) / sec }},
		{"#e08a00", "fail", func(bn bin) float64 { return float64(bn.Fail) / sec }},
		{"#d0302a", "info", func(bn bin) float64 { return float64(bn.Info) / sec }},
	}
	for i, sr := range series {
		var pts []string
		for _, bn := range bins {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(bn.Start+width/2), y1(sr.val(bn))))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`, sr.color, strings.Join(pts, " "))
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%s/s</text>`, W-right-190+i*65, top+14, sr.color, sr.name)
	}
	// Latency panel, log scale.
	top2 := top + panelH + gap
	lo, hi := 1.0, 10.0
	for _, bn := range bins {
		if bn.P99ms > 0 {
			hi = math.Max(hi, bn.P99ms)
		}
	}
	lhi := math.Ceil(math.Log10(hi))
	llo := math.Log10(lo) - 0
	y2 := func(ms float64) float64 {
		ms = math.Max(ms, lo)
		return float64(top2+panelH) - (math.Log10(ms)-llo)/(lhi-llo)*panelH
	}
	panelFrame(&b, left, top2, W-left-right, panelH)
	for e := llo; e <= lhi; e++ {
		v := math.Pow(10, e)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, left-4, y2(v)+4, fmtMs(v))
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#eee"/>`, left, W-right, y2(v), y2(v))
	}
	fmt.Fprintf(&b, `<text x="12" y="%d" transform="rotate(-90 12 %d)" text-anchor="middle">latency</text>`, top2+panelH/2, top2+panelH/2)
	for i, sr := range []struct {
		color, name string
		val         func(bin) float64
	}{
		{"#3060c0", "p50", func(bn bin) float64 { return bn.P50ms }},
		{"#8030a0", "p99", func(bn bin) float64 { return bn.P99ms }},
	} {
		var segs []string
		var cur []string
		for _, bn := range bins {
			if bn.OK == 0 {
				if len(cur) > 0 {
					segs = append(segs, strings.Join(cur, " "))
					cur = nil
				}
				continue
			}
			cur = append(cur, fmt.Sprintf("%.1f,%.1f", x(bn.Start+width/2), y2(sr.val(bn))))
		}
		if len(cur) > 0 {
			segs = append(segs, strings.Join(cur, " "))
		}
		for _, sg := range segs {
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`, sr.color, sg)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%s (ok ops)</text>`, W-right-190+i*90, top2+14, sr.color, sr.name)
	}
	// Time axis.
	step := niceCeil(float64(span) / 1e9 / 10)
	for t := 0.0; t <= float64(span)/1e9+1e-9; t += step {
		xt := x(start + int64(t*1e9))
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#999"/>`, xt, xt, top2+panelH, top2+panelH+4)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%gs</text>`, xt, top2+panelH+16, math.Round((t+float64(start)/1e9)*10)/10)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">time since the run started (bins of %s)</text>`, (W+left)/2, H-6, time.Duration(width).Round(time.Millisecond))
	b.WriteString(`</svg>`)
	return b.String()
}

func panelFrame(b *strings.Builder, x, y, w, h int) {
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>`, x, y, w, h)
}

// niceCeil rounds x up to 1, 2 or 5 times a power of ten.
func niceCeil(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

func fmtMs(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%gs", v/1000)
	}
	return fmt.Sprintf("%gms", v)
}
