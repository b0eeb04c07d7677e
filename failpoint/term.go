package failpoint

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is what an armed failpoint does when execution reaches it.
type Kind int

const (
	// Off: nothing (the disarmed state).
	Off Kind = iota
	// Panic: the process dies at exactly that point, like a SIGKILL there (no
	// deferred functions, no graceful shutdown).
	Panic
	// Sleep: execution stalls there for Term.Sleep.
	Sleep
	// Fail: the point fails with Term.Msg, in whatever way a storage or
	// network error fails there (DESIGN.md lists what each point does).
	Fail
	// On: a switch, not an action: a planted bug (package bugs) is active.
	On
)

// Term is the parsed form of "off", "panic", "sleep(100ms)", "error(msg)" or
// "on", optionally prefixed with a count as in gofail: "1*panic" acts once
// and then turns the point off.
type Term struct {
	Kind  Kind
	Sleep time.Duration
	Msg   string
	// Count is how many more times the action runs before the point turns
	// off; 0 means no limit.
	Count uint64
}

// ParseTerm parses one term, as PUT /failpoints/{name} and -failpoints take it.
func ParseTerm(s string) (Term, error) {
	s = strings.TrimSpace(s)
	if n, rest, ok := strings.Cut(s, "*"); ok && !strings.Contains(n, "(") {
		count, err := strconv.ParseUint(strings.TrimSpace(n), 10, 64)
		if err != nil || count == 0 {
			return Term{}, fmt.Errorf("failpoint term %q: a count prefix must be a positive integer, as in 1*panic", s)
		}
		t, err := ParseTerm(rest)
		if err != nil {
			return Term{}, err
		}
		if t.Kind == Off {
			return Term{}, fmt.Errorf("failpoint term %q: a count makes no sense with off", s)
		}
		t.Count = count
		return t, nil
	}
	switch s {
	case "off", "":
		return Term{Kind: Off}, nil
	case "panic":
		return Term{Kind: Panic}, nil
	case "on":
		return Term{Kind: On}, nil
	}
	name, arg, ok := strings.Cut(s, "(")
	if !ok || !strings.HasSuffix(arg, ")") {
		return Term{}, fmt.Errorf("failpoint term %q: want off, on, panic, sleep(DURATION) or error(MESSAGE)", s)
	}
	arg = strings.TrimSuffix(arg, ")")
	switch name {
	case "sleep":
		d, err := time.ParseDuration(arg)
		if err != nil || d < 0 {
			return Term{}, fmt.Errorf("failpoint term %q: sleep needs a non-negative duration such as 100ms", s)
		}
		return Term{Kind: Sleep, Sleep: d}, nil
	case "error":
		if arg == "" {
			arg = "injected error"
		}
		return Term{Kind: Fail, Msg: arg}, nil
	}
	return Term{}, fmt.Errorf("failpoint term %q: unknown action %q (want off, on, panic, sleep or error)", s, name)
}

// String gives the term back in the syntax ParseTerm reads.
func (t Term) String() string {
	if t.Count > 0 && t.Kind != Off {
		c := t
		c.Count = 0
		return fmt.Sprintf("%d*%s", t.Count, c)
	}
	switch t.Kind {
	case Panic:
		return "panic"
	case Sleep:
		return fmt.Sprintf("sleep(%s)", t.Sleep)
	case Fail:
		return fmt.Sprintf("error(%s)", t.Msg)
	case On:
		return "on"
	}
	return "off"
}

// Spec is a set of armed points, as the -failpoints flag gives it:
// "name=term;name2=term". Whitespace around names and terms is ignored.
type Spec map[string]Term

// ParseSpec parses "name=term;name2=term" (empty: nothing armed).
func ParseSpec(s string) (Spec, error) {
	out := Spec{}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, term, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("failpoints %q: %q is not name=term", s, part)
		}
		t, err := ParseTerm(term)
		if err != nil {
			return nil, fmt.Errorf("failpoint %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}
