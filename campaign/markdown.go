package campaign

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// maxListed bounds the runs a Markdown summary lists one by one, so it
// stays short enough for a CI job page; the HTML page lists them all.
const maxListed = 15

// WriteMarkdown writes a short summary of m for a CI job page
// ($GITHUB_STEP_SUMMARY): the outcome, a table per scenario, and the runs
// that were not as expected with the command that repeats each.
func WriteMarkdown(w io.Writer, m *Manifest) error {
	t := m.Tally()
	var b strings.Builder
	fmt.Fprintf(&b, "## %s Chaos campaign — %s\n\n", verdictIcon(t.Verdict()), t.Headline())
	fmt.Fprintf(&b, "%s. %d runs: %d pass, %d not as expected, %d error, %d skipped; %d violation%s found (%d unexpected). Run time %s.\n\n",
		describeMatrix(m), t.Runs, t.Pass, t.Fail+t.Unknown, t.Error+t.Pending, t.Skipped,
		t.Violations, plural(t.Violations), t.Unexpected, fmtSeconds(t.Seconds))
	if l := t.MustFailLine(); l != "" {
		fmt.Fprintf(&b, "%s.\n\n", strings.ToUpper(l[:1])+l[1:])
	}

	if len(m.Matrix.Scenarios) > 0 {
		b.WriteString("| scenario | expect | pass | not as expected | error | skipped | violations |\n")
		b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
		for _, row := range byScenario(m) {
			st := Count(row.Results)
			fmt.Fprintf(&b, "| `%s` | %s | %d | %s | %s | %s | %d |\n", row.Scenario, row.Expect,
				st.Pass, boldIf(st.Fail+st.Unknown), boldIf(st.Error+st.Pending), zeroDash(st.Skipped), st.Violations)
		}
	}
	if p := m.Power(); p != nil {
		b.WriteString("\n### Detection power (self-test)\n\n")
		b.WriteString("| planted bug | scenario | caught | 95% | missed | unknown | errors | first violation median / worst |\n")
		b.WriteString("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |\n")
		for _, r := range p.Bugs {
			for _, c := range r.Cells {
				fmt.Fprintf(&b, "| %s | `%s` | %d of %d | %s | %s | %s | %s | %s |\n", r.Name, c.Scenario, c.Caught, c.Runs,
					interval(c.Caught, c.Runs), boldIf(c.Missed), boldIf(c.Unknown), boldIf(c.Errors), detectWords(c.MedianDetect, c.WorstDetect))
			}
		}
		fmt.Fprintf(&b, "\nUnmodified store: %s.\n", p.BaselineLine())
	}

	var bad []Result
	for _, r := range m.Results {
		if r.Failed() {
			bad = append(bad, r)
		}
	}
	if len(bad) > 0 {
		b.WriteString("\n### Not as expected\n\n")
		for i, r := range bad {
			if i == maxListed {
				fmt.Fprintf(&b, "- … and %d more (see index.html)\n", len(bad)-maxListed)
				break
			}
			fmt.Fprintf(&b, "- **%s** — %s: %s<br>`%s`\n", r.Label(), r.Status.Label(r.Reason),
				mdEscape(oneLine(r.Message(), 200)), r.Repro)
		}
	}
	b.WriteString("\nThe full page (index.html), JUnit file and every run's report are in the campaign's artifact.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// describeMatrix says what the campaign ran, in a few words.
func describeMatrix(m *Manifest) string {
	mx := m.Matrix
	var parts []string
	if len(mx.Scenarios) > 0 {
		s := fmt.Sprintf("%d scenario%s × %d seed%s (%s)", len(mx.Scenarios), plural(len(mx.Scenarios)),
			len(mx.Seeds), plural(len(mx.Seeds)), seedRange(mx.Seeds))
		if mx.Duration > 0 {
			s += fmt.Sprintf(", %s workloads", mx.Duration)
		} else if mx.Scale > 1 {
			s += fmt.Sprintf(", workloads %g× each scenario's own", mx.Scale)
		}
		parts = append(parts, s)
	}
	if a := mx.SelfTest; a != nil {
		nb, base := 0, ""
		for _, b := range a.Bugs {
			if b.Bug == Unmodified {
				base = ", and the unmodified store"
			} else {
				nb++
			}
		}
		s := fmt.Sprintf("self-test: %d planted bug%s × their scenarios × %d seed%s (%s)%s", nb, plural(nb), len(a.Seeds), plural(len(a.Seeds)), seedRange(a.Seeds), base)
		if a.Duration > 0 {
			s += fmt.Sprintf(", %s workloads", a.Duration)
		}
		parts = append(parts, s)
	}
	s := strings.Join(parts, "; ")
	if m.Budget > 0 {
		s += fmt.Sprintf(", budget %s", time.Duration(m.Budget*float64(time.Second)))
	}
	if !m.Shard.Whole() {
		s += ", shard " + m.Shard.String()
	}
	if len(m.Sources) > 1 {
		s += fmt.Sprintf(", merged from %d folders", len(m.Sources))
	}
	return s
}

// seedRange is "seed 3" or "seeds 3–5".
func seedRange(seeds []uint64) string {
	switch len(seeds) {
	case 0:
		return "no seed"
	case 1:
		return fmt.Sprintf("seed %d", seeds[0])
	}
	return fmt.Sprintf("seeds %d–%d", seeds[0], seeds[len(seeds)-1])
}

// A scenarioRow is one scenario's runs, in seed order.
type scenarioRow struct {
	Scenario    string
	Description string
	Expect      string
	Results     []Result
}

// byScenario groups m's results by scenario, in the matrix's order.
func byScenario(m *Manifest) []scenarioRow {
	var rows []scenarioRow
	idx := map[string]int{}
	for _, name := range m.Matrix.Scenarios {
		idx[name] = len(rows)
		row := scenarioRow{Scenario: name}
		if s, err := m.Matrix.Scenario(Job{Scenario: name}); err == nil {
			row.Description, row.Expect = s.Description, string(s.Expect)
		}
		rows = append(rows, row)
	}
	for _, r := range m.Results {
		i, ok := idx[r.Scenario]
		if !ok || r.Bug != "" {
			continue
		}
		rows[i].Results = append(rows[i].Results, r)
	}
	return rows
}

func verdictIcon(v Verdict) string {
	switch v {
	case AllPassed:
		return "✅"
	case Incomplete:
		return "⏭️"
	case Undecided:
		return "❓"
	case Errors:
		return "⚠️"
	}
	return "❌"
}

func boldIf(n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf("**%d**", n)
}

func zeroDash(n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprint(n)
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

var mdEscaper = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "'")

func mdEscape(s string) string { return mdEscaper.Replace(s) }

func fmtSeconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}
