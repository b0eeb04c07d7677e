package linearizability

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"
)

// WriteHTML writes a whole page: the counterexample in words
// ([Counterexample.WriteHTMLSection]) above porcupine's picture of its few
// operations, with the nemesis events as annotations.
func (c *Counterexample) WriteHTML(w io.Writer) error {
	h, err := buildHistory(c.Events)
	if err != nil {
		return fmt.Errorf("counterexample: %w", err)
	}
	var pic bytes.Buffer
	if err := draw(&pic, h, h.keys, Options{}, DrawOptions{denseRows: true}); err != nil {
		return fmt.Errorf("counterexample picture: %w", err)
	}
	var words bytes.Buffer
	if err := c.WriteHTMLSection(&words); err != nil {
		return err
	}
	// porcupine writes a whole document; the words go first in its body.
	page := pic.String()
	page = strings.Replace(page, "<title>Porcupine</title>",
		"<title>"+template.HTMLEscapeString(fmt.Sprintf("Counterexample: key %q", c.Key))+"</title>", 1)
	at := strings.Index(page, "<body>")
	if at < 0 {
		return fmt.Errorf("counterexample picture: porcupine's page has no <body>")
	}
	at += len("<body>")
	_, err = io.WriteString(w, page[:at]+"\n"+words.String()+page[at:])
	return err
}

// WriteHTMLSection writes the counterexample in words, as one self-contained
// <section> (inline styles) that a report can embed: what was shrunk, the
// operations by time (ms since the start of the run) and client, the
// nemesis events, and the explanation.
func (c *Counterexample) WriteHTMLSection(w io.Writer) error {
	return sectionTmpl.Execute(w, c.view())
}

type ceView struct {
	C        *Counterexample
	Clients  int
	From, To string
	Rows     []ceRow
	Nemesis  []ceNemesis
	Elapsed  string
}

type ceRow struct {
	Row, Line, OriginalLine, Client int
	Node, Op, Outcome               string
	Call, Return                    string
	Blocked                         bool
}

type ceNemesis struct {
	Time, What string
}

func (c *Counterexample) view() ceView {
	v := ceView{C: c, Elapsed: roundDuration(c.Elapsed)}
	blocked := map[int]bool{}
	for _, b := range c.Explanation.Blocked {
		blocked[b.Operation.Line] = true
	}
	// The picture's rows (see denseRows): processes in order of first
	// invocation, which is the order of Operations.
	// Operations the model leaves out (failed writes kept as context) are
	// not drawn.
	drawn := map[int]bool{}
	kh := prepareKey(c.Key, seq(len(c.Operations)), c.Operations, math.MaxInt64-1, true)
	for _, p := range kh.pops {
		drawn[p.op.Line] = true
	}
	rows := map[int]int{}
	clients := map[int]bool{}
	for i := range c.Operations {
		op := &c.Operations[i]
		clients[op.Process] = true
		row := ceRow{Row: -1, Line: op.Line, Client: op.Process, Node: op.Node, Op: opWords(op), Outcome: outcomeWords(op),
			Call: fmtMS(op.Call), Return: "never", Blocked: blocked[op.Line]}
		if drawn[op.Line] {
			if _, ok := rows[op.Process]; !ok {
				rows[op.Process] = len(rows)
			}
			row.Row = rows[op.Process]
		}
		if i < len(c.OriginalLines) {
			row.OriginalLine = c.OriginalLines[i]
		}
		if !op.Open {
			row.Return = fmtMS(op.Return)
		}
		v.Rows = append(v.Rows, row)
	}
	v.Clients = len(clients)
	if len(c.Operations) > 0 {
		v.From = fmtMS(c.Operations[0].Call)
		last := c.Operations[0].Return
		for _, op := range c.Operations {
			last = max(last, op.Return)
		}
		v.To = fmtMS(last)
	}
	for _, e := range c.Events {
		if !e.IsNemesis() {
			continue
		}
		what := e.F
		if e.Value != nil {
			what += " " + *e.Value
		}
		if e.Type != TypeInfo {
			what += " (" + e.Type + ")"
		}
		v.Nemesis = append(v.Nemesis, ceNemesis{Time: fmtMS(e.Time), What: what})
	}
	return v
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// fmtMS renders nanoseconds since the start as milliseconds.
func fmtMS(ns int64) string { return fmt.Sprintf("%.3f ms", float64(ns)/1e6) }

// opWords says what an operation asked for and, for a read, what it got.
func opWords(op *Operation) string {
	switch op.F {
	case FGet:
		if op.Type == TypeOk {
			return "get → " + describeValue(op.Value)
		}
		return "get"
	case FSet:
		return "set " + describeValue(op.Value)
	case FDelete:
		return "delete"
	case FCAS:
		return fmt.Sprintf("cas %s → %s", describeValue(op.Expect), describeValue(op.Value))
	}
	return op.F
}

func outcomeWords(op *Operation) string {
	switch {
	case op.Open:
		return "no reply (unknown)"
	case op.Type == TypeInfo:
		return "unknown: " + op.Error
	case op.F == FCAS && op.Type == TypeFail && op.Error == "":
		return "fail: found another value"
	case op.Error != "":
		return op.Type + ": " + op.Error
	}
	return op.Type
}

var sectionTmpl = template.Must(template.New("ce").Parse(`<section class="counterexample" style="font-family: sans-serif; font-size: 14px; margin: 48px 8px 8px; max-width: 1100px">
<h2 style="font-size: 18px; margin: 0 0 6px">Counterexample: key {{printf "%q" .C.Key}}, {{.C.Kept}} operation{{if ne .C.Kept 1}}s{{end}} by {{.Clients}} client{{if ne .Clients 1}}s{{end}}, {{.From}} – {{.To}}</h2>
<p style="margin: 4px 0">Shrunk from {{.C.Original}} operations on the key ({{.C.HistoryOperations}} in the whole history) to {{.C.Kept}} in {{.Elapsed}}, with {{.C.Checks}} porcupine searches; this sub-history is still not linearizable, and only removals that cannot create a violation were made, so the full history has this violation too.
{{- if .C.StoppedEarly}} <strong style="color: #b00">Stopped early ({{.C.StopReason}}): a smaller counterexample may exist.</strong>{{end}}</p>
<p style="margin: 4px 0"><strong>{{.C.Explanation.Summary}}</strong></p>
<table style="border-collapse: collapse; margin: 8px 0; font-size: 13px">
<tr style="background: #eee; text-align: left"><th style="padding: 2px 8px">line</th><th style="padding: 2px 8px">original line</th><th style="padding: 2px 8px">client</th><th style="padding: 2px 8px">picture row</th><th style="padding: 2px 8px">node</th><th style="padding: 2px 8px">operation</th><th style="padding: 2px 8px">outcome</th><th style="padding: 2px 8px">invoked</th><th style="padding: 2px 8px">completed</th></tr>
{{- range .Rows}}
<tr{{if .Blocked}} style="background: #fdd"{{end}}><td style="padding: 2px 8px">{{.Line}}</td><td style="padding: 2px 8px">{{.OriginalLine}}</td><td style="padding: 2px 8px">process {{.Client}}</td><td style="padding: 2px 8px">{{if ge .Row 0}}{{.Row}}{{else}}not drawn{{end}}</td><td style="padding: 2px 8px">{{.Node}}</td><td style="padding: 2px 8px; font-family: monospace">{{.Op}}</td><td style="padding: 2px 8px">{{.Outcome}}</td><td style="padding: 2px 8px; text-align: right">{{.Call}}</td><td style="padding: 2px 8px; text-align: right">{{.Return}}</td></tr>
{{- end}}
</table>
{{- if .Nemesis}}
<p style="margin: 4px 0">Faults around these operations: {{range $i, $n := .Nemesis}}{{if $i}}; {{end}}{{$n.What}} at {{$n.Time}}{{end}}.</p>
{{- else}}
<p style="margin: 4px 0">No fault was active around these operations.</p>
{{- end}}
<details open><summary>Why it is not linearizable</summary>
<pre style="white-space: pre-wrap; font-size: 13px; background: #f7f7f7; padding: 6px">{{.C.Explanation.Text}}</pre>
</details>
</section>
`))

// roundDuration keeps two or three significant digits: 4.2ms, 25.6s.
func roundDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}
