package campaign

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"
)

// progress reports a campaign on a stream (stderr): a line when each run
// starts and ends, and each run's own live line prefixed with the
// campaign's state (runs done/total, elapsed, estimated remaining,
// violations so far). On a terminal the runs' lines are rewritten in place
// ("\r\033[K"), elsewhere they are plain lines.
type progress struct {
	w   io.Writer
	tty bool
	now func() time.Time

	mu         sync.Mutex
	start      time.Time
	total      int
	done       int
	left       time.Duration // estimated time still needed at leftAt
	leftAt     time.Time
	violations int
	unexpected int
	failed     int
}

// clearLine erases a live line on a terminal before a persistent one.
const clearLine = "\r\033[K"

func (p *progress) set(done int, left time.Duration) {
	p.mu.Lock()
	p.done, p.left, p.leftAt = done, left, p.now()
	p.mu.Unlock()
}

// state is the campaign's state in a few words.
func (p *progress) state() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	el := now.Sub(p.start).Round(time.Second)
	left := max(p.left-now.Sub(p.leftAt), 0).Round(time.Second)
	s := fmt.Sprintf("[%d/%d %s, ~%s left, %d violation%s", p.done, p.total, el, left,
		p.violations, plural(p.violations))
	if p.unexpected > 0 {
		s += fmt.Sprintf(" (%d unexpected)", p.unexpected)
	}
	if p.failed > 0 {
		s += fmt.Sprintf(", %d not as expected", p.failed)
	}
	return s + "]"
}

// printf writes a persistent line.
func (p *progress) printf(format string, args ...any) {
	if p.w == nil {
		return
	}
	prefix := ""
	if p.tty {
		prefix = clearLine
	}
	fmt.Fprintf(p.w, prefix+"campaign "+p.state()+" "+format+"\n", args...)
}

// finished counts a run that ended.
func (p *progress) finished(r Result) {
	p.mu.Lock()
	if r.Violation() {
		p.violations++
	}
	if r.Violation() && r.Status == Fail {
		p.unexpected++
	}
	if r.Failed() {
		p.failed++
	}
	p.mu.Unlock()
}

// runWriter is the writer a run's live line goes to: each line gets the
// campaign's state in front. Nil when there is no stream.
func (p *progress) runWriter() io.Writer {
	if p.w == nil {
		return nil
	}
	return prefixWriter{p}
}

type prefixWriter struct{ p *progress }

// Write prefixes each line the run's progress writes (one per call: either
// "\r\033[K<line>" on a terminal or "<line>\n").
func (pw prefixWriter) Write(b []byte) (int, error) {
	rest, tty := bytes.CutPrefix(b, []byte(clearLine))
	if len(bytes.TrimSpace(rest)) == 0 {
		return pw.p.w.Write(b)
	}
	var out []byte
	if tty {
		out = append(out, clearLine...)
	}
	out = append(out, pw.p.state()...)
	out = append(out, ' ')
	out = append(out, rest...)
	if _, err := pw.p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
