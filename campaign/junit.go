package campaign

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// The JUnit XML elements that GitHub (test-reporter actions), GitLab
// (artifacts:reports:junit) and Jenkins (junit step) read: testsuites ›
// testsuite › testcase, with a failure, error or skipped child for a test
// that did not pass. One testsuite per scenario, one testcase per run.

// JUnitSuites is the root element.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     float64      `xml:"time,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one scenario.
type JUnitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      float64     `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []JUnitCase `xml:"testcase"`
}

// JUnitCase is one run.
type JUnitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Failure   *JUnitProblem `xml:"failure"`
	Error     *JUnitProblem `xml:"error"`
	Skipped   *JUnitProblem `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// JUnitProblem is a failure, error or skipped element: a one-line message
// attribute and the details as text.
type JUnitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// JUnit builds the JUnit document of m. A run with an unexpected definite
// verdict is a failure whose message is the explanation; an unknown
// verdict is a failure too (never a pass); a run that could not be carried
// out or never ran is an error; a run the budget skipped is skipped.
func JUnit(m *Manifest) JUnitSuites {
	root := JUnitSuites{Name: "chaoslab campaign"}
	bySuite := map[string]int{}
	for _, r := range m.Results {
		suite := "chaoslab." + r.Scenario
		if r.Bug != "" {
			suite = "chaoslab.selftest." + r.Bug // one suite per planted bug, and the unmodified store's
		}
		i, ok := bySuite[suite]
		if !ok {
			i = len(root.Suites)
			bySuite[suite] = i
			root.Suites = append(root.Suites, JUnitSuite{Name: suite})
			if !m.Started.IsZero() {
				root.Suites[i].Timestamp = m.Started.UTC().Format("2006-01-02T15:04:05")
			}
		}
		s := &root.Suites[i]
		c := JUnitCase{
			Name:      caseName(r),
			Classname: suite,
			Time:      r.Elapsed,
			SystemOut: caseOutput(r),
		}
		details := problemDetails(r)
		switch r.Status {
		case Fail:
			c.Failure = &JUnitProblem{Message: r.Message(), Type: "unexpected verdict", Text: details}
			s.Failures++
		case Unknown:
			c.Failure = &JUnitProblem{Message: r.Message(), Type: "unknown verdict", Text: details}
			s.Failures++
		case Error, Pending:
			c.Error = &JUnitProblem{Message: r.Message(), Type: string(r.Status), Text: details}
			s.Errors++
		case Skipped:
			c.Skipped = &JUnitProblem{Message: r.Message()}
			s.Skipped++
		}
		s.Tests++
		s.Time = round1(s.Time + r.Elapsed)
		s.Cases = append(s.Cases, c)
	}
	for _, s := range root.Suites {
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Errors += s.Errors
		root.Skipped += s.Skipped
		root.Time = round1(root.Time + s.Time)
	}
	return root
}

// problemDetails is the body of a failure or error: the outcome, the
// explanations, the run's own problems and how to repeat it.
func problemDetails(r Result) string {
	var b strings.Builder
	if r.Outcome != "" {
		fmt.Fprintf(&b, "%s\n", r.Outcome)
	}
	if r.Reason != "" {
		fmt.Fprintf(&b, "%s\n", r.Reason)
	}
	for _, ex := range r.Explanations {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimRight(ex, "\n"))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "problem: %s\n", p)
	}
	fmt.Fprintf(&b, "\nrepeat it: %s\n", r.Repro)
	return b.String()
}

// caseName is "stale-reads seed 1", with "(caught 1 of 3 attempts)" for a
// must-fail run that was retried: the misses are not hidden behind a pass.
func caseName(r Result) string {
	name := r.Label()
	if a := r.AttemptWords(); a != "" {
		name += " (" + a + ")"
	}
	return name
}

func caseOutput(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "expect %s; status %s\n", r.Expect, r.Status.Label(r.Reason))
	if a := r.AttemptWords(); a != "" {
		fmt.Fprintf(&b, "%s\n", a)
		for i, d := range r.Missed {
			fmt.Fprintf(&b, "attempt %d missed the violation: %s\n", i+1, d)
		}
	}
	if r.Report != "" {
		fmt.Fprintf(&b, "report: %s\n", r.Report)
	}
	fmt.Fprintf(&b, "repeat: %s\n", r.Repro)
	return b.String()
}

// WriteJUnit writes m's JUnit document.
func WriteJUnit(w io.Writer, m *Manifest) error {
	b, err := xml.MarshalIndent(JUnit(m), "", "  ")
	if err != nil {
		return fmt.Errorf("campaign: junit: %w", err)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
