package report

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"

	"github.com/raftlab/raftlab/fault"
	"github.com/raftlab/raftlab/linearizability"
)

// timelineSVG draws throughput (ok, fail and info per second) and latency
// (p50 and p99 of ok operations, log scale) over the workload, with fault
// phases shaded and labelled, and the read-contract anomalies marked.
func timelineSVG(ops []linearizability.Operation, phases []PhaseStats, start, end int64, marks ...timelineMark) string {
	if end <= start {
		return "<p>No workload.</p>"
	}
	const (
		W, left, right = 1000, 60, 20
		top, panelH    = 34, 150
		gap            = 40
		H              = top + 2*panelH + gap + 40
	)
	span := end - start
	width := max(int64(100*time.Millisecond), span/150)
	bins := timeline(ops, start, end, width)
	x := func(t int64) float64 { return left + float64(t-start)/float64(span)*float64(W-left-right) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`, W, H, W, H)
	// Fault shading across both panels, coloured by the kind of fault, each
	// labelled with the fault and the event that ended it ("member-remove
	// n2 → member-add"); labels alternate between two rows so that
	// neighbouring windows do not write over each other.
	nth := 0
	for _, p := range phases {
		if p.Kind != PhaseFault {
			continue
		}
		fill, ink := faultColors(p.FaultKind)
		label := p.Fault
		if p.Heal != "" {
			label += " → " + p.Heal
		}
		x0, x1 := x(p.Start), x(p.End)
		fmt.Fprintf(&b, `<rect class="fault" data-kind="%s" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" opacity="0.7"><title>%s</title></rect>`,
			html.EscapeString(p.FaultKind), x0, top, math.Max(x1-x0, 1), 2*panelH+gap, fill, html.EscapeString(label))
		// A label needs room: on a long run with hundreds of windows only
		// the shading and its tooltip stay.
		if x1-x0 >= 30 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="%s">%s</text>`, x0+2, top-5-13*(nth%2), ink, html.EscapeString(label))
		}
		nth++
	}
	// Anomalies: a red line through both panels where each became visible
	// (the offending read's completion; after the workload: at its end),
	// numbered as in the anomaly table.
	for i, m := range marks {
		t := min(max(m.At, start), end)
		xm := x(t)
		fmt.Fprintf(&b, `<g class="anomaly"><title>%s</title><line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#c00000" stroke-width="1.5" stroke-dasharray="4 2"/>`,
			html.EscapeString(m.Label), xm, xm, top, top+2*panelH+gap)
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%d" r="7" fill="#c00000"/><text x="%.1f" y="%d" fill="#fff" font-size="9" text-anchor="middle">%d</text></g>`,
			xm, top+panelH+gap/2, xm, top+panelH+gap/2+3, i+1)
	}
	// Throughput panel.
	sec := func(bn bin) float64 { return float64(bn.Width) / 1e9 } // the last bin may be shorter
	maxRate := 1.0
	for _, bn := range bins {
		maxRate = math.Max(maxRate, float64(bn.Definite+bn.Fail+bn.Info)/sec(bn))
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
		{"#2a9d3a", "ok+cas≠", func(bn bin) float64 { return float64(bn.Definite) / sec(bn) }},
		{"#e08a00", "fail", func(bn bin) float64 { return float64(bn.Fail) / sec(bn) }},
		{"#d0302a", "info", func(bn bin) float64 { return float64(bn.Info) / sec(bn) }},
	}
	for i, sr := range series {
		var pts []string
		for _, bn := range bins {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(bn.Start+bn.Width/2), y1(sr.val(bn))))
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
			if bn.Definite == 0 {
				if len(cur) > 0 {
					segs = append(segs, strings.Join(cur, " "))
					cur = nil
				}
				continue
			}
			cur = append(cur, fmt.Sprintf("%.1f,%.1f", x(bn.Start+bn.Width/2), y2(sr.val(bn))))
		}
		if len(cur) > 0 {
			segs = append(segs, strings.Join(cur, " "))
		}
		for _, sg := range segs {
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`, sr.color, sg)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%s (ok+cas≠)</text>`, W-right-190+i*90, top2+14, sr.color, sr.name)
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

// faultColors are the shading and label colours of a fault kind's windows:
// its family's (package fault: history.html draws the same); a failed
// injection ("<nemesis> (failed)", no kind) is grey.
func faultColors(kind string) (fill, ink string) {
	c := fault.Kind(kind).Colour()
	if kind == "" || strings.HasSuffix(kind, " (failed)") {
		c = fault.FailedColour
	}
	return c.Fill, c.Ink
}

// timelineMark is an anomaly on the timeline: when, and what (its tooltip).
type timelineMark struct {
	At    int64
	Label string
}
