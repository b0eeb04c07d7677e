package campaign

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the detection power as people read it in a terminal:
// per planted bug and scenario caught k of n with its 95% interval, the
// median and worst time to the first violation, then the unmodified
// store's runs (clean, false alarms, unknown and errors, each counted).
func (p *Power) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%-28s %-24s %7s %-12s %6s %7s %6s %15s\n", "planted bug", "scenario", "caught", "95%", "missed", "unknown", "errors", "detect med/max")
	for _, r := range p.Bugs {
		for _, c := range r.Cells {
			fmt.Fprintf(&b, "%-28s %-24s %7s %-12s %6d %7d %6d %15s\n", r.Name, c.Scenario, fmt.Sprintf("%d/%d", c.Caught, c.Runs),
				interval(c.Caught, c.Runs), c.Missed, c.Unknown, c.Errors, detectWords(c.MedianDetect, c.WorstDetect))
		}
		if len(r.Cells) > 1 {
			fmt.Fprintf(&b, "%-28s %-24s %7s %-12s\n", "", "any scenario, per seed", fmt.Sprintf("%d/%d", r.CaughtSeeds, r.Seeds), interval(r.CaughtSeeds, r.Seeds))
		}
	}
	fmt.Fprintf(&b, "%-28s %-24s %7s %6s %7s %6s\n", "", "", "clean", "alarms", "unknown", "errors")
	for _, c := range p.Baseline {
		fmt.Fprintf(&b, "%-28s %-24s %7s %6d %7d %6d\n", "unmodified store", c.Scenario, fmt.Sprintf("%d/%d", c.Clean, c.Runs), c.Caught, c.Unknown, c.Errors)
	}
	fmt.Fprintf(&b, "unmodified store: %s\n", p.BaselineLine())
	_, err := io.WriteString(w, b.String())
	return err
}

// BaselineLine says what the unmodified store's runs show, in one line:
// clean runs out of all, then false alarms, unknown runs and errors, each
// its own count.
func (p *Power) BaselineLine() string {
	if p.BaselineRuns == 0 {
		return "not run: no baseline"
	}
	line := fmt.Sprintf("%d of %d runs clean; false alarms: %d", p.BaselineClean, p.BaselineRuns, p.FalseAlarms)
	if p.BaselineUnknown > 0 {
		line += fmt.Sprintf("; unknown: %d", p.BaselineUnknown)
	}
	if p.BaselineErrors > 0 {
		line += fmt.Sprintf("; errors: %d", p.BaselineErrors)
	}
	if !p.BaselineShown() && p.FalseAlarms == 0 {
		line += " — NOT shown clean: only clean runs count"
	}
	return line
}

// interval is "44–100%", the 95% Wilson interval of k of n ("" for n 0).
func interval(k, n int) string {
	if n == 0 {
		return ""
	}
	lo, hi := Wilson(k, n)
	return fmt.Sprintf("%.0f–%.0f%%", 100*lo, 100*hi)
}

// detectWords is "2.1 / 4.0 s" (median / worst), or "—".
func detectWords(med, worst *float64) string {
	if med == nil || worst == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f / %.1f s", *med, *worst)
}
