package linearizability

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// A LineError is an error about one line of a history. Line is 1-based: the
// line of the file for [ReadJSONL] and [Reader], and the position of the event
// in the slice (index+1) for histories checked from memory. The two agree for
// a file read with ReadJSONL, which allows no blank line before the last event.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// A Reader reads a history file one event at a time and validates it as it
// goes: each line on its own (JSON, known fields, type, f, required fields)
// and in context (completions match an outstanding invocation of the same
// process, f and key; a process has at most one operation outstanding; a
// process retired by an info completion is not used again; time never goes
// backwards). Every error is a [*LineError].
type Reader struct {
	br   *bufio.Reader
	line int
	v    validator
	err  error
	// trailing counts blank lines seen since the last event; blank lines
	// are only allowed at the end of the file.
	trailing int
}

// NewReader returns a Reader over r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 1<<16), v: newValidator()}
}

// Line returns the number of lines consumed so far.
func (r *Reader) Line() int { return r.line }

// Next returns the next event, or io.EOF after the last one.
func (r *Reader) Next() (Event, error) {
	if r.err != nil {
		return Event{}, r.err
	}
	for {
		raw, err := r.br.ReadBytes('\n')
		if len(raw) == 0 && err != nil {
			if err == io.EOF {
				r.err = io.EOF
			} else {
				r.err = &LineError{Line: r.line + 1, Err: err}
			}
			return Event{}, r.err
		}
		r.line++
		text := bytes.TrimSpace(raw)
		if len(text) == 0 {
			r.trailing++
			continue
		}
		if r.trailing > 0 {
			r.err = &LineError{Line: r.line - r.trailing, Err: errors.New("blank line inside the history (one event per line)")}
			return Event{}, r.err
		}
		e, perr := parseLine(text)
		if perr == nil {
			perr = r.v.add(&e, r.line)
		}
		if perr != nil {
			var le *LineError
			if !errors.As(perr, &le) {
				perr = &LineError{Line: r.line, Err: perr}
			}
			r.err = perr
			return Event{}, r.err
		}
		return e, nil
	}
}

// ReadJSONL reads and validates a whole history (see [Reader]).
func ReadJSONL(r io.Reader) ([]Event, error) {
	rd := NewReader(r)
	var events []Event
	for {
		e, err := rd.Next()
		if err == io.EOF {
			return events, nil
		}
		if err != nil {
			return events, err
		}
		events = append(events, e)
	}
}

// rawEvent detects missing and null fields, which Event cannot.
type rawEvent struct {
	Process *int            `json:"process"`
	Type    *string         `json:"type"`
	F       *string         `json:"f"`
	Key     *string         `json:"key"`
	Value   json.RawMessage `json:"value"`
	Expect  json.RawMessage `json:"expect"`
	Time    *int64          `json:"time"`
	Error   *string         `json:"error"`
	Node    *string         `json:"node"`
	Level   *string         `json:"level"`
	Index   *int64          `json:"index"`
	Incarn  *string         `json:"incarnation"`
}

// parseLine parses one trimmed line: the fast path for plain lines, the
// strict encoding/json path for everything else (and for every error).
func parseLine(text []byte) (Event, error) {
	if e, err := parseLineFast(text); err == nil {
		return e, nil
	}
	return parseLineSlow(text)
}

func parseLineSlow(text []byte) (Event, error) {
	var raw rawEvent
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Event{}, fmt.Errorf("not a history event: %v", err)
	}
	if dec.More() {
		return Event{}, errors.New("more than one JSON value on the line")
	}
	var e Event
	switch {
	case raw.Process == nil:
		return e, errors.New(`missing "process"`)
	case raw.Type == nil:
		return e, errors.New(`missing "type"`)
	case raw.F == nil:
		return e, errors.New(`missing "f"`)
	case raw.Time == nil:
		return e, errors.New(`missing "time"`)
	}
	e.Process, e.Type, e.F, e.Time = *raw.Process, *raw.Type, *raw.F, *raw.Time
	if raw.Key != nil {
		e.Key = *raw.Key
	}
	if raw.Error != nil {
		e.Error = *raw.Error
	}
	if raw.Node != nil {
		e.Node = *raw.Node
	}
	if raw.Level != nil {
		e.Level = *raw.Level
	}
	if raw.Index != nil {
		e.Index = *raw.Index
	}
	if raw.Incarn != nil {
		e.Incarnation = *raw.Incarn
	}
	var err error
	if e.Value, err = optString(raw.Value, "value"); err != nil {
		return e, err
	}
	if e.Expect, err = optString(raw.Expect, "expect"); err != nil {
		return e, err
	}
	if err := checkShape(&e); err != nil {
		return e, err
	}
	return e, nil
}

func optString(m json.RawMessage, field string) (*string, error) {
	if len(m) == 0 || string(m) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(m, &s); err != nil {
		return nil, fmt.Errorf("%q must be a string or null, got %s", field, m)
	}
	return &s, nil
}

// A Writer writes events as JSON Lines.
type Writer struct {
	bw  *bufio.Writer
	buf []byte
}

// NewWriter returns a Writer to w. Call Flush when done.
func NewWriter(w io.Writer) *Writer { return &Writer{bw: bufio.NewWriterSize(w, 1<<16)} }

// Write writes one event on one line. The fields appear in the order of
// DESIGN.md; "value" is written for every client event (null when absent) and
// for nemesis events that have one; "key", "expect", "error" and "node" only
// when set.
func (w *Writer) Write(e Event) error {
	b := w.buf[:0]
	b = append(b, `{"process":`...)
	b = strconv.AppendInt(b, int64(e.Process), 10)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, e.Type)
	b = append(b, `,"f":`...)
	b = appendJSONString(b, e.F)
	if e.Key != "" || !e.IsNemesis() {
		b = append(b, `,"key":`...)
		b = appendJSONString(b, e.Key)
	}
	if e.Value != nil || !e.IsNemesis() {
		b = append(b, `,"value":`...)
		if e.Value == nil {
			b = append(b, "null"...)
		} else {
			b = appendJSONString(b, *e.Value)
		}
	}
	if e.Expect != nil {
		b = append(b, `,"expect":`...)
		b = appendJSONString(b, *e.Expect)
	}
	b = append(b, `,"time":`...)
	b = strconv.AppendInt(b, e.Time, 10)
	if e.Error != "" {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, e.Error)
	}
	if e.Node != "" {
		b = append(b, `,"node":`...)
		b = appendJSONString(b, e.Node)
	}
	if e.Level != "" {
		b = append(b, `,"level":`...)
		b = appendJSONString(b, e.Level)
	}
	if e.Index != 0 {
		b = append(b, `,"index":`...)
		b = strconv.AppendInt(b, e.Index, 10)
	}
	if e.Incarnation != "" {
		b = append(b, `,"incarnation":`...)
		b = appendJSONString(b, e.Incarnation)
	}
	b = append(b, "}\n"...)
	w.buf = b
	_, err := w.bw.Write(b)
	return err
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() error { return w.bw.Flush() }

// WriteJSONL writes events as JSON Lines, one per line.
func WriteJSONL(w io.Writer, events []Event) error {
	jw := NewWriter(w)
	for _, e := range events {
		if err := jw.Write(e); err != nil {
			return err
		}
	}
	return jw.Flush()
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // cannot fail for a string
	return append(b, q...)
}
