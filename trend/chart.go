package trend

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// chart geometry (px).
const (
	chartW, chartH = 760, 220
	padL, padR     = 70, 70
	padT, padB     = 12, 28
)

// secs is "1.23 s", or "—".
func secs(p *float64) string {
	if p == nil {
		return "—"
	}
	return fmt.Sprintf("%.2f s", *p)
}

// palette colours the bugs' lines (cycled).
var palette = []string{"#0969da", "#cf222e", "#1a7f37", "#8250df", "#9a6700", "#bf3989", "#0a3069", "#57606a"}

type series struct {
	Name, Colour string
	Points       string // SVG polyline points
	Dots         []dot
	Last         string // tonight's figure in words
}

type dot struct {
	X, Y  float64
	Title string
}

// WriteHTML draws the lines as one self-contained page: the bugs' catch
// rates night by night (with tonight's 95% interval), and the false alarms
// per night. regressions are tonight's (Regressions), shown at the top.
func WriteHTML(w io.Writer, lines []Line, regressions []string) error {
	n := len(lines)
	x := func(i int) float64 {
		if n <= 1 {
			return padL + float64(chartW-padL-padR)/2
		}
		return padL + float64(i)*float64(chartW-padL-padR)/float64(n-1)
	}
	y := func(rate float64) float64 { return padT + (1-rate)*float64(chartH-padT-padB) }
	names := map[string]bool{}
	for _, l := range lines {
		for b := range l.Bugs {
			names[b] = true
		}
	}
	var bugs []series
	for i, name := range sortedKeys(names) {
		s := series{Name: name, Colour: palette[i%len(palette)]}
		var pts []string
		for j, l := range lines {
			b, ok := l.Bugs[name]
			if !ok || b.Runs == 0 {
				continue
			}
			lo, hi := Wilson(b.Caught, b.Runs)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(j), y(b.Rate())))
			s.Dots = append(s.Dots, dot{X: x(j), Y: y(b.Rate()), Title: fmt.Sprintf("%s %s: caught %d of %d (95%%: %.0f–%.0f%%)", name, l.Night, b.Caught, b.Runs, 100*lo, 100*hi)})
			s.Last = fmt.Sprintf("%d of %d (95%%: %.0f–%.0f%%)", b.Caught, b.Runs, 100*lo, 100*hi)
			if b.MedianDetect != nil {
				s.Last += fmt.Sprintf(", median %.1f s to detect", *b.MedianDetect)
				if b.WorstDetect != nil {
					s.Last += fmt.Sprintf(" (worst %.1f s)", *b.WorstDetect)
				}
			}
		}
		s.Points = strings.Join(pts, " ")
		bugs = append(bugs, s)
	}
	type bar struct {
		X, Y, H float64
		N       int
		Title   string
	}
	var bars []bar
	maxFA := 1
	for _, l := range lines {
		total := 0
		for _, s := range l.Scenarios {
			total += s.FalseAlarms
		}
		maxFA = max(maxFA, total)
	}
	for j, l := range lines {
		total := 0
		var which []string
		for _, name := range sortedKeys(l.Scenarios) {
			if fa := l.Scenarios[name].FalseAlarms; fa > 0 {
				total += fa
				which = append(which, fmt.Sprintf("%s %d", name, fa))
			}
		}
		h := float64(total) / float64(maxFA) * 80
		bars = append(bars, bar{X: x(j) - 8, Y: 96 - h, H: h, N: total, Title: l.Night + ": " + strings.Join(append([]string{fmt.Sprint(total, " false alarms")}, which...), ", ")})
	}
	var ticks []dot
	for j, l := range lines {
		ticks = append(ticks, dot{X: x(j), Y: chartH - 8, Title: l.Night})
	}
	type recRow struct {
		Kind, Tonight, Before string
	}
	var rec []recRow
	if n > 0 {
		words := func(r RecoveryFigures, ok bool) string {
			if !ok {
				return "—"
			}
			return fmt.Sprintf("first ack write %s, full strength %s, %.2f elections per window (%d windows)",
				secs(r.FirstAckMedian), secs(r.FullStrengthMedian), r.ElectionsPerWindow, r.Windows)
		}
		for _, k := range sortedKeys(lines[n-1].Recovery) {
			row := recRow{Kind: k, Tonight: words(lines[n-1].Recovery[k], true), Before: "—"}
			if n > 1 {
				b, ok := lines[n-2].Recovery[k]
				row.Before = words(b, ok)
			}
			rec = append(rec, row)
		}
	}
	// Per scenario: tonight's runs, false alarms and availability during
	// faults, beside the night before's.
	type scRow struct {
		Name, Tonight, Before string
		Alarm                 bool
	}
	var scs []scRow
	if n > 0 {
		words := func(f ScenarioFigures, ok bool) string {
			if !ok {
				return "—"
			}
			w := fmt.Sprintf("%d runs, %d false alarm(s)", f.Runs, f.FalseAlarms)
			if f.Availability != nil {
				w += fmt.Sprintf(", %.0f%% available in faults", 100**f.Availability)
			}
			return w
		}
		for _, k := range sortedKeys(lines[n-1].Scenarios) {
			f := lines[n-1].Scenarios[k]
			row := scRow{Name: k, Tonight: words(f, true), Before: "—", Alarm: f.FalseAlarms > 0}
			if n > 1 {
				b, ok := lines[n-2].Scenarios[k]
				row.Before = words(b, ok)
			}
			scs = append(scs, row)
		}
	}
	return chartTmpl.Execute(w, map[string]any{
		"Scenarios": scs,
		"Recovery":  rec,
		"Lines":     lines, "Bugs": bugs, "Bars": bars, "Ticks": ticks, "Regressions": regressions,
		"W": chartW, "H": chartH, "PadL": padL, "Right": chartW - padR, "Y0": y(0), "Y50": y(0.5), "Y100": y(1),
	})
}

var chartTmpl = template.Must(template.New("trend").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>raftlab: detection power night by night</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:820px;color:#1f2328;padding:0 12px}
h1{font-size:21px;margin:0 0 6px}h2{font-size:16px;margin:22px 0 6px}
.meta{color:#59636e;font-size:13px}.bad{background:#ffebe9;border:1px solid #cf222e;color:#cf222e;padding:10px 14px;border-radius:8px}
.good{background:#dafbe1;border:1px solid #1a7f37;color:#1a7f37;padding:10px 14px;border-radius:8px}
svg{background:#fff;border:1px solid #d1d9e0;border-radius:8px}text{font:11px system-ui,sans-serif;fill:#59636e}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d1d9e0;padding:4px 8px;text-align:left}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
</style></head><body>
<h1>Detection power, night by night</h1>
<p class="meta">{{len .Lines}} night(s). Each planted bug's catch rate in the nightly self-test (all its scenarios and seeds; runs that errored or came back unknown count as not caught); below, the false alarms of scenarios that must stay linearizable (campaign, and the self-test's unmodified store).</p>
{{if .Regressions}}<div class="bad"><b>Tonight fails:</b><ul>{{range .Regressions}}<li>{{.}}</li>{{end}}</ul></div>{{else}}<div class="good">No rate dropped beyond chance, no new false alarm.</div>{{end}}
<h2>Catch rate per planted bug</h2>
<svg width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="catch rates">
<line x1="{{.PadL}}" x2="{{.Right}}" y1="{{.Y100}}" y2="{{.Y100}}" stroke="#eef1f4"/><line x1="{{.PadL}}" x2="{{.Right}}" y1="{{.Y50}}" y2="{{.Y50}}" stroke="#eef1f4"/><line x1="{{.PadL}}" x2="{{.Right}}" y1="{{.Y0}}" y2="{{.Y0}}" stroke="#afb8c1"/>
<text x="30" y="{{.Y100}}" dy="4">100%</text><text x="36" y="{{.Y50}}" dy="4">50%</text><text x="42" y="{{.Y0}}" dy="4">0%</text>
{{range .Ticks}}<text x="{{.X}}" y="{{.Y}}" text-anchor="middle">{{.Title}}</text>{{end}}
{{range .Bugs}}<polyline points="{{.Points}}" fill="none" stroke="{{.Colour}}" stroke-width="2"/>{{$c := .Colour}}{{range .Dots}}<circle cx="{{.X}}" cy="{{.Y}}" r="4" fill="{{$c}}"><title>{{.Title}}</title></circle>{{end}}{{end}}
</svg>
<table><tr><th>planted bug</th><th>tonight</th></tr>
{{range .Bugs}}<tr><td><span class="sw" style="background:{{.Colour}}"></span>{{.Name}}</td><td>{{.Last}}</td></tr>{{end}}</table>
<h2>False alarms per night</h2>
<svg width="{{.W}}" height="120" viewBox="0 0 {{.W}} 120" role="img" aria-label="false alarms">
<line x1="{{.PadL}}" x2="{{.Right}}" y1="96" y2="96" stroke="#afb8c1"/>
{{range .Bars}}<rect x="{{.X}}" y="{{.Y}}" width="16" height="{{.H}}" fill="#cf222e"><title>{{.Title}}</title></rect><text x="{{.X}}" y="{{.Y}}" dx="8" dy="-3" text-anchor="middle">{{.N}}</text>{{end}}
{{range .Ticks}}<text x="{{.X}}" y="112" text-anchor="middle">{{.Title}}</text>{{end}}
</svg>
{{if .Scenarios}}<h2>Scenarios</h2>
<table><tr><th>scenario</th><th>tonight</th><th>the night before</th></tr>
{{range .Scenarios}}<tr><td>{{.Name}}</td><td{{if .Alarm}} style="color:#cf222e;font-weight:600"{{end}}>{{.Tonight}}</td><td>{{.Before}}</td></tr>{{end}}</table>{{end}}
{{if .Recovery}}<h2>Recovery per fault kind (campaign medians)</h2>
<table><tr><th>fault kind</th><th>tonight</th><th>the night before</th></tr>
{{range .Recovery}}<tr><td>{{.Kind}}</td><td>{{.Tonight}}</td><td>{{.Before}}</td></tr>{{end}}</table>{{end}}
</body></html>
`))
