package compare

import (
	"encoding/json"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
)

// Files Write produces in a comparison's folder.
const (
	JSONFile = "compare.json"
	PageFile = "compare.html"
)

// palette colours the systems in the order given (first: raftkv blue).
var palette = []string{"#3b6ea8", "#2e8b57", "#b8662a", "#8a4fa8"}

// Write writes compare.json and compare.html into dir.
func Write(dir string, c Comparison) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, JSONFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, PageFile))
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	defer f.Close()
	if err := page.Execute(f, view(c)); err != nil {
		return fmt.Errorf("compare: page: %w", err)
	}
	return f.Close()
}

type pageView struct {
	C        Comparison
	Colors   map[string]string
	Rows     [][]Cell // per scenario, one cell per system
	KindSVG  template.HTML
	RecSVG   template.HTML
	OpsSVG   template.HTML
	SeedList string
}

func view(c Comparison) pageView {
	v := pageView{C: c, Colors: map[string]string{}}
	for i, s := range c.Systems {
		v.Colors[s] = palette[i%len(palette)]
	}
	n := len(c.Systems)
	for i := 0; i+n <= len(c.Cells); i += n {
		v.Rows = append(v.Rows, c.Cells[i:i+n])
	}
	var seeds []string
	for _, s := range c.Seeds {
		seeds = append(seeds, fmt.Sprint(s))
	}
	v.SeedList = strings.Join(seeds, ", ")
	// Availability per fault kind: one group per kind, a bar per system.
	var groups []group
	for _, k := range c.Kinds {
		g := group{Label: k.Kind}
		for _, s := range k.Systems {
			label := fmt.Sprintf("%.0f%%", 100*s.Availability)
			if s.Windows == 0 {
				label = "–"
			}
			g.Bars = append(g.Bars, bar{System: s.System, Value: s.Availability, Label: label,
				Title: fmt.Sprintf("%s, %s: %.1f%% available over %d windows, %d unknown (%.1f per window)", s.System, k.Kind, 100*s.Availability, s.Windows, s.Info, s.InfoPerWindow)})
		}
		groups = append(groups, g)
	}
	v.KindSVG = bars(groups, 1, v.Colors)
	// Time to the first acknowledged write after the injection (solid) and
	// after the heal (light), per fault kind.
	groups = nil
	top := 0.1
	for _, k := range c.Kinds {
		g := group{Label: k.Kind}
		for _, s := range k.Systems {
			for _, ph := range []struct {
				name string
				v    float64
			}{{"injection", s.RecoverFromInjection}, {"heal", s.RecoverFromHeal}} {
				label, val := "–", 0.0
				if ph.v >= 0 {
					label, val = fmt.Sprintf("%.2f", ph.v), ph.v
				}
				g.Bars = append(g.Bars, bar{System: s.System, Value: val, Label: label, Faded: ph.name == "heal",
					Title: fmt.Sprintf("%s, %s: first acknowledged write %s s after the %s", s.System, k.Kind, label, ph.name)})
				top = max(top, val)
			}
		}
		groups = append(groups, g)
	}
	v.RecSVG = bars(groups, top, v.Colors)
	// ok/s quiet and under faults per scenario: two bars per system.
	groups = nil
	top = 1.0
	for _, row := range v.Rows {
		g := group{Label: row[0].Scenario}
		for _, cell := range row {
			for _, ph := range []struct {
				name string
				f    Figures
			}{{"quiet", cell.Quiet}, {"fault", cell.Fault}} {
				g.Bars = append(g.Bars, bar{System: cell.System, Value: ph.f.OKPerSec, Label: fmt.Sprintf("%.0f", ph.f.OKPerSec),
					Faded: ph.name == "fault", Title: fmt.Sprintf("%s on %s, %s: %.0f ok/s", cell.Scenario, cell.System, ph.name, ph.f.OKPerSec)})
				top = max(top, ph.f.OKPerSec)
			}
		}
		groups = append(groups, g)
	}
	v.OpsSVG = bars(groups, top, v.Colors)
	return v
}

type group struct {
	Label string
	Bars  []bar
}

type bar struct {
	System string
	Value  float64
	Label  string
	Title  string
	Faded  bool // the second bar of a pair (under faults): hatched lighter
}

// bars draws grouped vertical bars scaled to top as an inline SVG.
func bars(groups []group, top float64, colors map[string]string) template.HTML {
	const h, barW, gap, pad = 160.0, 26.0, 22.0, 30.0
	width := pad
	for _, g := range groups {
		width += float64(len(g.Bars))*barW + gap
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 -16 %.0f %.0f" role="img">`, width+pad, h+86, width+pad, h+86)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#999"/>`, pad-4, h+10, width, h+10)
	x := pad
	for _, g := range groups {
		x0 := x
		for _, br := range g.Bars {
			bh := 0.0
			if top > 0 {
				bh = h * br.Value / top
			}
			op := "1"
			if br.Faded {
				op = "0.45"
			}
			fmt.Fprintf(&b, `<g><title>%s</title><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="%s"/>`,
				template.HTMLEscapeString(br.Title), x, h+10-bh, barW-3, bh, colors[br.System], op)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle">%s</text></g>`, x+(barW-3)/2, h+6-bh, template.HTMLEscapeString(br.Label))
			x += barW
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="11" text-anchor="middle">%s</text>`, (x0+x)/2, h+26, template.HTMLEscapeString(g.Label))
		x += gap
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"pct": func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	"num": func(f float64) string { return fmt.Sprintf("%.0f", f) },
	"secs": func(f float64) string {
		if f < 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f s", f)
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>raftlab: systems compared</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:6px 10px;vertical-align:top;text-align:left}
th{background:#f4f4f4}.na{color:#777;font-style:italic}.bad{color:#b00020;font-weight:600}.ok{color:#1b7a3a;font-weight:600}
.key span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
.small{color:#666;font-size:12px}
</style></head><body>
<h1>Systems compared: {{range $i, $s := .C.Systems}}{{if $i}} vs {{end}}{{$s}}{{end}}</h1>
<p>The same scenarios with the same seeds ({{.SeedList}}) on each system: the same workload, the same fault
schedule, the same checker. A scenario a system cannot run (it needs a capability the system lacks) is
<span class="na">not applicable</span>: it did not run and counts as nothing.</p>
<p class="key">{{range .C.Systems}}<span style="background:{{index $.Colors .}}"></span>{{.}}{{end}}</p>

<h2>Availability per fault kind</h2>
<p class="small">Share of operations answered definitely (ok or a cas that found another value) during the fault
windows of each kind, over every run. Hover a bar for windows and unknown operations.</p>
{{.KindSVG}}

<h2>Time to recover per fault kind</h2>
<p class="small">Seconds from a window's injection (solid) and from the start of its heal (light) to the first
acknowledged write invoked after that moment, averaged over the windows of the kind.</p>
{{.RecSVG}}

<h2>Throughput: quiet vs under faults</h2>
<p class="small">Successful operations per second; per system the solid bar is quiet windows, the light one fault windows.</p>
{{.OpsSVG}}

<h2>Per scenario</h2>
<table><tr><th>scenario</th>{{range .C.Systems}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><td>{{(index . 0).Scenario}}</td>{{range .}}<td>
{{if .NotApplicable}}<span class="na">not applicable: {{.NotApplicable}}</span>
{{else if and (eq .Runs 0) (eq .Errors 0)}}<span class="na">not run (yet)</span>
{{else if eq .Runs 0}}<span class="bad">{{.Errors}} not carried out</span>
{{else}}<span class="{{if eq .AsExpected .Runs}}ok{{else}}bad{{end}}">{{.AsExpected}}/{{.Runs}} as expected</span>{{if .Errors}} <span class="bad">{{.Errors}} not carried out</span>{{end}}<br>
{{range $v, $n := .Verdicts}}{{$v}} ×{{$n}} {{end}}<br>
quiet {{num .Quiet.OKPerSec}} ok/s, {{pct .Quiet.Availability}} available<br>
faults {{num .Fault.OKPerSec}} ok/s, {{pct .Fault.Availability}} available, p99 ≤ {{num .Fault.P99ms}} ms, {{.Fault.Info}} unknown<br>
<span class="small">{{range .Dirs}}<a href="{{.}}/report.html">{{.}}</a> {{end}}</span>{{end}}
</td>{{end}}</tr>{{end}}
</table>

<h2>Per fault kind</h2>
<table><tr><th>fault kind</th>{{range .C.Systems}}<th>{{.}}</th>{{end}}</tr>
{{range .C.Kinds}}<tr><td>{{.Kind}}</td>{{range .Systems}}<td>{{if .Windows}}{{pct .Availability}} available in {{.Windows}} windows; {{.Info}} unknown ({{printf "%.1f" .InfoPerWindow}} per window)<br>
first acknowledged write {{secs .RecoverFromInjection}} after the injection, {{secs .RecoverFromHeal}} after the heal{{if .NoRecovery}} <span class="bad">({{.NoRecovery}} windows with none after the heal)</span>{{end}}{{else}}<span class="na">–</span>{{end}}</td>{{end}}</tr>{{end}}
</table>
<p class="small">Time to recover: from a window's injection (or the start of its heal) to the first write invoked at
or after that moment that was acknowledged, averaged over the windows of the kind. Writes keep succeeding through
a fault that leaves a majority, so a short time after injection means the fault did not stop the cluster.</p>
<p class="small">compare.json holds these figures.</p>
</body></html>
`))
