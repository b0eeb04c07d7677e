package linearizability

import (
	"bytes"
	"errors"
	"strconv"
	"unicode/utf8"
)

// errNotFast means "not the plain shape the fast path handles"; the line is
// then parsed again by the strict encoding/json path, which decides and
// words any error. The fast path exists because a history of a million
// operations has two million lines, and encoding/json spends about 10 µs on
// each; the lines our own Writer produces (and most hand-written ones) are a
// flat object of known fields with integer, plain-string or null values.
var errNotFast = errors.New("not a plain line")

// parseLineFast parses text (already trimmed) into e. It accepts only lines
// for which parseLineSlow would produce the same event, and returns
// errNotFast for anything else: escapes in strings, invalid UTF-8, control
// characters, duplicate or unknown fields, null where a string is required,
// numbers that are not plain integers.
func parseLineFast(text []byte) (Event, error) {
	var e Event
	p := fastParser{b: text}
	if !p.byte('{') {
		return e, errNotFast
	}
	var seen uint16
	var haveProcess, haveType, haveF, haveTime bool
	if p.peek() == '}' {
		return e, errNotFast
	}
	for {
		name, ok := p.str()
		if !ok || !p.byte(':') {
			return e, errNotFast
		}
		bit, ok := fieldBits[string(name)]
		if !ok || seen&bit != 0 {
			return e, errNotFast
		}
		seen |= bit
		switch string(name) {
		case "process", "time", "index":
			n, ok := p.int()
			if !ok {
				return e, errNotFast
			}
			if name[0] == 'i' {
				e.Index = n
			} else if name[0] == 'p' {
				if n != int64(int(n)) {
					return e, errNotFast
				}
				e.Process, haveProcess = int(n), true
			} else {
				e.Time, haveTime = n, true
			}
		case "value", "expect":
			var v *string
			if p.null() {
				v = nil
			} else if s, ok := p.str(); ok {
				str := string(s)
				v = &str
			} else {
				return e, errNotFast
			}
			if name[0] == 'v' {
				e.Value = v
			} else {
				e.Expect = v
			}
		default: // type, f, key, error, node, level, incarnation: strings only
			s, ok := p.str()
			if !ok {
				return e, errNotFast
			}
			switch string(name) {
			case "type":
				e.Type, haveType = string(s), true
			case "f":
				e.F, haveF = string(s), true
			case "key":
				e.Key = string(s)
			case "error":
				e.Error = string(s)
			case "node":
				e.Node = string(s)
			case "level":
				e.Level = string(s)
			case "incarnation":
				e.Incarnation = string(s)
			}
		}
		if p.byte(',') {
			continue
		}
		if p.byte('}') {
			break
		}
		return e, errNotFast
	}
	p.ws()
	if p.i != len(p.b) || !haveProcess || !haveType || !haveF || !haveTime {
		return e, errNotFast
	}
	if err := checkShape(&e); err != nil {
		return e, errNotFast
	}
	return e, nil
}

var fieldBits = map[string]uint16{
	"process": 1, "type": 2, "f": 4, "key": 8, "value": 16, "expect": 32, "time": 64, "error": 128, "node": 256,
	"level": 512, "index": 1024, "incarnation": 2048,
}

type fastParser struct {
	b []byte
	i int
}

func (p *fastParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) peek() byte {
	p.ws()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *fastParser) byte(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

func (p *fastParser) null() bool {
	p.ws()
	if bytes.HasPrefix(p.b[p.i:], []byte("null")) {
		p.i += 4
		return true
	}
	return false
}

// str reads a string with no escapes, no control characters and valid UTF-8.
func (p *fastParser) str() ([]byte, bool) {
	if !p.byte('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !utf8.Valid(s) {
				return nil, false
			}
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
		p.i++
	}
	return nil, false
}

// int reads -?(0|[1-9][0-9]*) that fits an int64.
func (p *fastParser) int() (int64, bool) {
	p.ws()
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	if p.i == digits || (p.b[digits] == '0' && p.i-digits > 1) {
		return 0, false
	}
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(p.b[start:p.i]), 10, 64)
	return n, err == nil
}
