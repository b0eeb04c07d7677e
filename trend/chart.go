package trend

import (
	"fmt"
	"html/template"
	"io"
	"math"
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
	Before       string // the night before's
	// TimePoints and TimeDots draw the median seconds to the first
	// violation, each dot with a whisker up to the worst.
	TimePoints string
	TimeDots   []dot
}

// A dot is a night's figure; Lo and Hi (y) are its whisker: the 95%
// interval of a rate, or median to worst of a time.
type dot struct {
	X, Y, Lo, Hi float64
	Title        string
}

// timeH is the height of the time-to-detect chart (px).
const timeH = 170

// bugWords is a night's figures of a bug in words.
func bugWords(b BugFigures) string {
	lo, hi := Wilson(b.Caught, b.Runs)
	w := fmt.Sprintf("%d of %d (95%%: %.0f–%.0f%%)", b.Caught, b.Runs, 100*lo, 100*hi)
	if b.MedianDetect != nil {
		w += fmt.Sprintf(", median %.1f s to detect", *b.MedianDetect)
		if b.WorstDetect != nil {
			w += fmt.Sprintf(" (worst %.1f s)", *b.WorstDetect)
		}
	}
	return w
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
	// The slowest detection sets the time chart's scale (at least 1 s).
	maxT := 1.0
	for _, l := range lines {
		for _, b := range l.Bugs {
			for _, v := range []*float64{b.MedianDetect, b.WorstDetect} {
				if v != nil {
					maxT = max(maxT, *v)
				}
			}
		}
	}
	maxT = math.Ceil(maxT)
	ty := func(sec float64) float64 { return padT + (1-sec/maxT)*float64(timeH-padT-padB) }
	var bugs []series
	nb := len(names)
	for i, name := range sortedKeys(names) {
		s := series{Name: name, Colour: palette[i%len(palette)], Last: "not run", Before: "—"}
		// Bugs side by side around each night, so their whiskers do not hide
		// one another.
		off := (float64(i) - float64(nb-1)/2) * 5
		var pts, tpts []string
		for j, l := range lines {
			b, ok := l.Bugs[name]
			if j == n-2 && ok {
				s.Before = bugWords(b)
			}
			if !ok || b.Runs == 0 {
				continue
			}
			lo, hi := Wilson(b.Caught, b.Runs)
			px := x(j) + off
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, y(b.Rate())))
			s.Dots = append(s.Dots, dot{X: px, Y: y(b.Rate()), Lo: y(lo), Hi: y(hi), Title: fmt.Sprintf("%s %s: caught %d of %d (95%%: %.0f–%.0f%%)", name, l.Night, b.Caught, b.Runs, 100*lo, 100*hi)})
			if j == n-1 {
				s.Last = bugWords(b)
			}
			if b.MedianDetect != nil {
				worst := *b.MedianDetect
				if b.WorstDetect != nil {
					worst = *b.WorstDetect
				}
				tpts = append(tpts, fmt.Sprintf("%.1f,%.1f", px, ty(*b.MedianDetect)))
				s.TimeDots = append(s.TimeDots, dot{X: px, Y: ty(*b.MedianDetect), Lo: ty(*b.MedianDetect), Hi: ty(worst),
					Title: fmt.Sprintf("%s %s: median %.1f s, worst %.1f s to the first violation", name, l.Night, *b.MedianDetect, worst)})
			}
		}
		s.Points, s.TimePoints = strings.Join(pts, " "), strings.Join(tpts, " ")
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
			w := fmt.Sprintf("%d run%s, %d false alarm(s)", f.Runs, map[bool]string{true: "", false: "s"}[f.Runs == 1], f.FalseAlarms)
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
		"TimeH": timeH, "TY0": ty(0), "TYMax": ty(maxT), "TYHalf": ty(maxT / 2), "MaxT": maxT, "HalfT": maxT / 2,
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
{{range .Bugs}}<polyline points="{{.Points}}" fill="none" stroke="{{.Colour}}" stroke-width="2"/>{{$c := .Colour}}{{range .Dots}}<line x1="{{.X}}" x2="{{.X}}" y1="{{.Lo}}" y2="{{.Hi}}" stroke="{{$c}}" stroke-width="1.5" opacity=".45"/><circle cx="{{.X}}" cy="{{.Y}}" r="4" fill="{{$c}}"><title>{{.Title}}</title></circle>{{end}}{{end}}
</svg>
<p class="meta">Dots: the night's rate; bars: its 95% (Wilson) interval — a few runs say little.</p>
<table><tr><th>planted bug</th><th>tonight</th><th>the night before</th></tr>
{{range .Bugs}}<tr><td><span class="sw" style="background:{{.Colour}}"></span>{{.Name}}</td><td>{{.Last}}</td><td>{{.Before}}</td></tr>{{end}}</table>
<h2>Time to the first violation per planted bug</h2>
<svg width="{{.W}}" height="{{.TimeH}}" viewBox="0 0 {{.W}} {{.TimeH}}" role="img" aria-label="time to detect">
<line x1="{{.PadL}}" x2="{{.Right}}" y1="{{.TYMax}}" y2="{{.TYMax}}" stroke="#eef1f4"/><line x1="{{.PadL}}" x2="{{.Right}}" y1="{{.TYHalf}}" y2="{{.TYHalf}}" stroke="#eef1f4"/><line x1="{{.PadL}}" x2="{{.Right}}" y1="{{.TY0}}" y2="{{.TY0}}" stroke="#afb8c1"/>
<text x="62" y="{{.TYMax}}" dy="4" text-anchor="end">{{printf "%.0f s" .MaxT}}</text><text x="62" y="{{.TYHalf}}" dy="4" text-anchor="end">{{printf "%.1f s" .HalfT}}</text><text x="62" y="{{.TY0}}" dy="4" text-anchor="end">0 s</text>
{{range .Ticks}}<text x="{{.X}}" y="{{$.TimeH}}" dy="-8" text-anchor="middle">{{.Title}}</text>{{end}}
{{range .Bugs}}<polyline points="{{.TimePoints}}" fill="none" stroke="{{.Colour}}" stroke-width="2"/>{{$c := .Colour}}{{range .TimeDots}}<line x1="{{.X}}" x2="{{.X}}" y1="{{.Lo}}" y2="{{.Hi}}" stroke="{{$c}}" stroke-width="1.5" opacity=".45"/><circle cx="{{.X}}" cy="{{.Hi}}" r="2.5" fill="#fff" stroke="{{$c}}"/><circle cx="{{.X}}" cy="{{.Y}}" r="4" fill="{{$c}}"><title>{{.Title}}</title></circle>{{end}}{{end}}
</svg>
<p class="meta">Seconds of workload until the first violation, over the caught runs: dots the median, open circles the worst.</p>
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
