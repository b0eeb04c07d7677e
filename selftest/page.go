package selftest

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"strings"
)

// Files a self-test writes into its folder.
const (
	JSONFile = "selftest.json"
	HTMLFile = "selftest.html"
)

// WriteJSON writes the matrix as JSON.
func (m *Matrix) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// WriteText writes the matrix as people read it in a terminal.
func (m *Matrix) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%-30s %-24s %8s %8s %8s %8s %12s\n", "planted bug", "scenario", "caught", "missed", "unknown", "errors", "median detect")
	for _, r := range m.Bugs {
		for _, c := range r.Cells {
			fmt.Fprintf(&b, "%-30s %-24s %8s %8d %8d %8d %12s\n", r.Name, c.Scenario, fmt.Sprintf("%d/%d", c.Caught, c.Runs),
				c.Missed, c.Unknown, c.Errors, detect(c.MedianDetect))
		}
		fmt.Fprintf(&b, "%-30s %-24s %8s\n", "", "any scenario", fmt.Sprintf("%d/%d", r.CaughtSeeds, r.Seeds))
	}
	fmt.Fprintf(&b, "%-30s %-24s %8s %8s %8s %8s\n", "", "", "clean", "alarms", "unknown", "errors")
	for _, c := range m.Baseline {
		fmt.Fprintf(&b, "%-30s %-24s %8s %8d %8d %8d\n", "unmodified store", c.Scenario, fmt.Sprintf("%d/%d", c.Clean, c.Runs), c.Caught, c.Unknown, c.Errors)
	}
	fmt.Fprintf(&b, "unmodified store: %s\n", m.BaselineLine())
	_, err := io.WriteString(w, b.String())
	return err
}

// BaselineLine says what the unmodified store's runs show, in one line:
// clean runs out of all, then false alarms, unknown runs and errors, each
// its own count.
func (m *Matrix) BaselineLine() string {
	if m.BaselineRuns == 0 {
		return "not run: no baseline"
	}
	line := fmt.Sprintf("%d of %d runs clean; false alarms: %d", m.BaselineClean, m.BaselineRuns, m.FalseAlarms)
	if m.BaselineUnknown > 0 {
		line += fmt.Sprintf("; unknown: %d", m.BaselineUnknown)
	}
	if m.BaselineErrors > 0 {
		line += fmt.Sprintf("; errors: %d", m.BaselineErrors)
	}
	if !m.BaselineShown() && m.FalseAlarms == 0 {
		line += " — NOT shown clean: only clean runs count"
	}
	return line
}

func detect(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.1fs", *v)
}

// WriteHTML writes the matrix as one self-contained page. dir is the
// self-test folder: links to runs are made relative to it.
func (m *Matrix) WriteHTML(w io.Writer, dir string) error {
	rel := func(p string) string {
		if r, err := filepath.Rel(dir, p); err == nil {
			return filepath.ToSlash(r)
		}
		return p
	}
	return pageTmpl.Execute(w, map[string]any{"M": m, "Rel": rel})
}

var pageTmpl = template.Must(template.New("selftest").Funcs(template.FuncMap{
	"detect": detect,
	"rate": func(k, n int) string {
		if n == 0 {
			return "—"
		}
		return fmt.Sprintf("%d of %d", k, n)
	},
	"ci": func(k, n int) string {
		if n == 0 {
			return ""
		}
		lo, hi := Wilson(k, n)
		return fmt.Sprintf("95%%: %.0f–%.0f%%", 100*lo, 100*hi)
	},
	// cls colours a cell: a bug cell is good when every run caught it; a
	// baseline cell only when every run was clean (an error or an unknown
	// run leaves it partial, a false alarm makes it bad).
	"cls": func(c Cell, baseline bool) string {
		switch {
		case c.Runs == 0:
			return "none"
		case baseline && c.Caught > 0, !baseline && c.Caught == 0:
			return "bad"
		case baseline && c.Clean == c.Runs, !baseline && c.Caught == c.Runs:
			return "good"
		}
		return "partial"
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>raftlab self-test: what the lab catches</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 12px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:6px 0;width:100%}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;white-space:nowrap}
.good{background:#dff5e1}.bad{background:#fde0e0}.partial{background:#fff3d6}.none{background:#eee}
.meta{color:#555;font-size:13px}code{font-size:12.5px;white-space:nowrap}
.sum{font-size:18px;font-weight:600;padding:12px 14px;border-radius:6px;margin:10px 0}
</style></head><body>
<h1>raftlab self-test: what the lab catches</h1>
<p class="meta">Each planted bug (a named unsafe behaviour of the store, switched on at start in the failpoint build) runs
through the scenarios meant to catch it, with several seeds; the unmodified store runs through the same scenarios and must
come out clean. "Caught" means some read broke its level's contract (a linearizable read not linearizable; a stale or leader read going back, or contradicting the store's indexes) or the replicas disagreed; beside each rate, its 95% (Wilson) interval. Detect: median seconds of
workload until the first violation.</p>
<div class="sum {{if .M.FalseAlarms}}bad{{else if .M.BaselineShown}}good{{else}}partial{{end}}">{{len .M.Bugs}} planted bugs · unmodified store: {{.M.BaselineLine}}</div>
<h2>Planted bugs × scenarios</h2>
<table><tr><th>planted bug</th><th>scenario</th><th>caught</th><th>median detect</th><th>runs</th></tr>
{{range $r := .M.Bugs}}{{range $i, $c := .Cells}}<tr>
{{if eq $i 0}}<td rowspan="{{len $r.Cells}}"><b>{{$r.Name}}</b><br><span class="meta">{{$r.Description}}<br>Seen in the wild: {{$r.Report}}<br>Caught in {{rate $r.CaughtSeeds $r.Seeds}} seeds by some scenario ({{ci $r.CaughtSeeds $r.Seeds}}).</span></td>{{end}}
<td><code>{{$c.Scenario}}</code></td><td class="n {{cls $c false}}">{{rate $c.Caught $c.Runs}}<br><span class="meta">{{ci $c.Caught $c.Runs}}</span>{{if $c.Unknown}}<br>{{$c.Unknown}} unknown{{end}}{{if $c.Errors}}<br>{{$c.Errors}} errors{{end}}</td><td class="n">{{detect $c.MedianDetect}}</td>
<td>{{range $.M.Outcomes}}{{if and (eq .Bug $c.Bug) (eq .Scenario $c.Scenario)}}<a href="{{call $.Rel .Dir}}/report.html" title="{{.Verdict}}">seed {{.Seed}}: {{.Word}}</a> {{end}}{{end}}</td></tr>
{{end}}{{end}}</table>
<h2>The unmodified store through the same scenarios</h2>
<p class="meta">Only a clean run shows the store clean: a run that could not be carried out (error) or whose verdict is unknown
(the checker's budget ran out, keys not read on every node, too few faults took effect) is counted apart, never as clean.</p>
<table><tr><th>scenario</th><th>clean</th><th>false alarms</th><th>unknown</th><th>errors</th><th>runs</th></tr>
{{range $c := .M.Baseline}}<tr><td><code>{{$c.Scenario}}</code></td><td class="n {{cls $c true}}">{{rate $c.Clean $c.Runs}}</td>
<td class="n{{if $c.Caught}} bad{{end}}">{{$c.Caught}}</td><td class="n{{if $c.Unknown}} partial{{end}}">{{$c.Unknown}}</td><td class="n{{if $c.Errors}} partial{{end}}">{{$c.Errors}}</td>
<td>{{range $.M.Outcomes}}{{if and (eq .Bug "") (eq .Scenario $c.Scenario)}}<a href="{{call $.Rel .Dir}}/report.html">seed {{.Seed}}: {{.Word}}</a> {{end}}{{end}}</td></tr>
{{end}}</table>
</body></html>
`))

// Word is the outcome in one word (caught, missed, clean, FALSE ALARM,
// unknown, error: …).
func (o Outcome) Word() string { return o.word() }
