package campaign

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/raftlab/raftlab/linearizability"
	"github.com/raftlab/raftlab/readcheck"
	"github.com/raftlab/raftlab/scenarios"
)

//go:embed page.html
var pageSource string

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"pct": func(p *float64) string {
		if p == nil {
			return "—"
		}
		return fmt.Sprintf("%.0f%%", 100**p)
	},
	"secs": func(p *float64) string {
		if p == nil {
			return "—"
		}
		return fmt.Sprintf("%.1f s", *p)
	},
	"dur":       fmtSeconds,
	"thousands": thousands,
	"verdict":   verdictWords,
	"first":     firstLine,
	"lower":     strings.ToLower,
	"inc":       func(i int) int { return i + 1 },
	"interval":  interval,
	"detect":    detectWords,
	"runWord":   runWord,
	"cellClass": powerClass,
	"plural": func(n int, word string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, word)
		}
		return fmt.Sprintf("%d %ss", n, word)
	},
}).Parse(pageSource))

// pageData is what the page template sees.
type pageData struct {
	M        *Manifest
	T        Tally
	Class    string // overall: pass, fail, unknown, error, skipped
	Headline string
	Matrix   string
	Seeds    []uint64
	Rows     []pageRow
	Bad      []Result
	// Noted are the runs as expected whose run had problems of its own.
	Noted []Result
	// Recovery are the recovery figures per fault kind over every run.
	Recovery []KindRecovery
	// Power is the bug axis's detection power (nil: no self-test part);
	// PowerClass colours its summary.
	Power      *Power
	PowerClass string
	Finished   string
}

type pageRow struct {
	scenarioRow
	Cells []*Result // by seed; nil when the job is not in this campaign
	Tally Tally
}

// WritePage writes m as one self-contained HTML page: no script, no
// network, inline CSS. The matrix shows every run's status as a colour and
// a word, its operations, its availability while faults were in place, the
// time to its first violation and a link to its report; below it, every
// run that was not as expected with the command that repeats it.
func WritePage(w io.Writer, m *Manifest) error {
	t := m.Tally()
	d := pageData{M: m, T: t, Headline: t.Headline(), Matrix: describeMatrix(m), Seeds: m.Matrix.Seeds}
	d.Class = map[Verdict]string{AllPassed: "pass", Incomplete: "skipped", Errors: "error", Undecided: "unknown", Failed: "fail", NothingRan: "error"}[t.Verdict()]
	seedCol := map[uint64]int{}
	for i, s := range d.Seeds {
		seedCol[s] = i
	}
	for _, row := range byScenario(m) {
		pr := pageRow{scenarioRow: row, Cells: make([]*Result, len(d.Seeds)), Tally: Count(row.Results)}
		for i := range row.Results {
			if c, ok := seedCol[row.Results[i].Seed]; ok {
				pr.Cells[c] = &row.Results[i]
			}
		}
		d.Rows = append(d.Rows, pr)
	}
	for _, r := range m.Results {
		if r.Failed() {
			d.Bad = append(d.Bad, r)
		} else if r.Status == Pass && len(r.Problems) > 0 {
			d.Noted = append(d.Noted, r)
		}
	}
	// A run with a planted bug on measures the bug, not recovery.
	var healthy []Result
	for _, r := range m.Results {
		if !r.Planted() {
			healthy = append(healthy, r)
		}
	}
	d.Recovery = Recovery(healthy)
	if d.Power = m.Power(); d.Power != nil {
		d.PowerClass = powerSummaryClass(d.Power)
	}
	if !m.Finished.IsZero() {
		d.Finished = m.Finished.UTC().Format("2006-01-02 15:04 MST")
	}
	if err := pageTemplate.Execute(w, d); err != nil {
		return fmt.Errorf("campaign: page: %w", err)
	}
	return nil
}

// verdictWords says what the checker found, for a cell.
func verdictWords(r Result) string {
	w := checkerWords(r)
	if a := r.AttemptWords(); a != "" && w != "" {
		w += " (" + a + ")"
	}
	return w
}

func checkerWords(r Result) string {
	switch {
	case r.Bug == Unmodified && r.Status == Fail:
		return "FALSE ALARM"
	case r.Bug == Unmodified && r.Status == Pass:
		return "clean"
	case r.Planted() && r.Status == Pass:
		return "planted bug caught"
	case r.Planted() && r.Status == Fail:
		return "planted bug missed"
	case r.Status == Skipped || r.Status == Pending || (r.Status == Error && r.Verdict == ""):
		return ""
	case r.Reads != "":
		return contractWords(r)
	case r.Verdict == linearizability.NotLinearizable && r.Expect.MustFail():
		return "violation found: planted bug caught"
	case r.Verdict == linearizability.NotLinearizable:
		return "violation found"
	case r.Verdict == linearizability.Linearizable && r.Expect.MustFail():
		return "linearizable: planted bug missed"
	case r.Verdict == linearizability.Unknown:
		return "checker undecided"
	case r.Verdict == linearizability.Linearizable && !r.Converged:
		return "linearizable, replicas diverged"
	case r.Verdict == linearizability.Linearizable:
		return "linearizable"
	}
	return string(r.Verdict)
}

// contractWords says what the checker found when each read was judged by
// its level's contract: the verdict per level (the whole history's
// linearizability mixes levels that do not promise it), and whether a
// must-fail scenario's expected violation was found.
func contractWords(r Result) string {
	w := r.Reads
	switch {
	case r.Expect == scenarios.ExpectContractViolation && r.Contract == readcheck.Violated:
		w = "expected violation found: " + w
	case r.Expect == scenarios.ExpectContractViolation:
		w = "expected violation missed: " + w
	}
	if !r.Converged && r.Contract == readcheck.OK {
		w += "; replicas diverged"
	}
	return w
}

// powerClass colours a cell of the bug axis: a bug's cell is pass when
// every run caught it, fail when none did; a baseline cell is pass only
// when every run was clean (an error or unknown run leaves it unknown, a
// false alarm makes it fail).
func powerClass(c PowerCell) string {
	baseline := c.Bug == Unmodified
	switch {
	case c.Runs == 0:
		return "skipped"
	case baseline && c.Caught > 0, !baseline && c.Caught == 0:
		return "fail"
	case baseline && c.Clean == c.Runs, !baseline && c.Caught == c.Runs:
		return "pass"
	}
	return "unknown"
}

// powerSummaryClass colours the bug axis's summary: fail on a false alarm
// or a bug never caught, unknown when the baseline is not shown clean or a
// bug was missed in some run, pass otherwise.
func powerSummaryClass(p *Power) string {
	class := "pass"
	if !p.BaselineShown() {
		class = "unknown"
	}
	for _, b := range p.Bugs {
		switch {
		case b.Caught == 0:
			return "fail"
		case b.Caught < b.Runs:
			class = "unknown"
		}
	}
	if p.FalseAlarms > 0 {
		return "fail"
	}
	return class
}

// runWord is a bug-axis run in a word or two, for its link.
func runWord(r Result) string {
	switch r.Status {
	case Error:
		return "error"
	case Unknown:
		return "unknown"
	case Skipped, Pending:
		return r.Status.Label(r.Reason)
	}
	return checkerWords(r)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// thousands formats n with thin spaces between groups of three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	return b.String()
}
