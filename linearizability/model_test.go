package linearizability

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every f × outcome, end to end: from a known initial state, the operation
// under test, then a read that starts after it ended. The history is
// linearizable exactly when the read's value is one the semantics of
// DESIGN.md allow after the operation.
func TestModelEveryFunctionAndOutcome(t *testing.T) {
	const absent = "<absent>"
	type combo struct {
		name string
		f    string
		typ  string // ok, fail, info, or "" for no completion
		err  string
		read string // for get ok: what it read
		// allowed returns the values the key may hold afterwards, given its
		// initial value; nil means the operation itself is impossible.
		allowed func(init string) []string
	}
	same := func(init string) []string { return []string{init} }
	combos := []combo{
		{name: "get ok absent", f: FGet, typ: TypeOk, read: absent, allowed: func(init string) []string {
			if init == absent {
				return []string{init}
			}
			return nil
		}},
		{name: "get ok a", f: FGet, typ: TypeOk, read: "a", allowed: func(init string) []string {
			if init == "a" {
				return []string{init}
			}
			return nil
		}},
		{name: "get fail", f: FGet, typ: TypeFail, err: "no leader", allowed: same},
		{name: "get fail no error", f: FGet, typ: TypeFail, allowed: same},
		{name: "get info", f: FGet, typ: TypeInfo, err: "timeout", allowed: same},
		{name: "get open", f: FGet, allowed: same},
		{name: "set ok", f: FSet, typ: TypeOk, allowed: func(string) []string { return []string{"c"} }},
		{name: "set fail", f: FSet, typ: TypeFail, err: "no leader", allowed: same},
		{name: "set fail no error", f: FSet, typ: TypeFail, allowed: same},
		{name: "set info", f: FSet, typ: TypeInfo, err: "timeout", allowed: func(init string) []string { return []string{init, "c"} }},
		{name: "set open", f: FSet, allowed: func(init string) []string { return []string{init, "c"} }},
		{name: "delete ok", f: FDelete, typ: TypeOk, allowed: func(string) []string { return []string{absent} }},
		{name: "delete fail", f: FDelete, typ: TypeFail, err: "shutting down", allowed: same},
		{name: "delete info", f: FDelete, typ: TypeInfo, allowed: func(init string) []string { return []string{init, absent} }},
		{name: "delete open", f: FDelete, allowed: func(init string) []string { return []string{init, absent} }},
		{name: "cas ok", f: FCAS, typ: TypeOk, allowed: func(init string) []string {
			if init == "a" {
				return []string{"c"}
			}
			return nil
		}},
		{name: "cas fail found another", f: FCAS, typ: TypeFail, allowed: func(init string) []string {
			if init == "a" {
				return nil
			}
			return []string{init}
		}},
		{name: "cas fail with error", f: FCAS, typ: TypeFail, err: "no leader", allowed: same},
		{name: "cas info", f: FCAS, typ: TypeInfo, err: "timeout", allowed: func(init string) []string {
			if init == "a" {
				return []string{"a", "c"}
			}
			return []string{init}
		}},
		{name: "cas open", f: FCAS, allowed: func(init string) []string {
			if init == "a" {
				return []string{"a", "c"}
			}
			return []string{init}
		}},
	}
	opt := func(s string) *string {
		if s == absent {
			return nil
		}
		return Str(s)
	}
	for _, c := range combos {
		for _, init := range []string{absent, "a", "b"} {
			for _, observed := range []string{absent, "a", "b", "c"} {
				name := fmt.Sprintf("%s/from %s/then read %s", c.name, init, observed)
				t.Run(name, func(t *testing.T) {
					var h []Event
					if init != absent {
						h = append(h,
							Event{Process: 0, Type: TypeInvoke, F: FSet, Key: "k", Value: opt(init), Time: 0},
							Event{Process: 0, Type: TypeOk, F: FSet, Key: "k", Value: opt(init), Time: 10})
					}
					inv := Event{Process: 1, Type: TypeInvoke, F: c.f, Key: "k", Time: 20}
					switch c.f {
					case FSet:
						inv.Value = Str("c")
					case FCAS:
						inv.Value, inv.Expect = Str("c"), Str("a")
					}
					h = append(h, inv)
					if c.typ != "" {
						done := Event{Process: 1, Type: c.typ, F: c.f, Key: "k", Time: 30, Error: c.err}
						if c.f == FGet && c.typ == TypeOk {
							done.Value = opt(c.read)
						}
						h = append(h, done)
					}
					h = append(h,
						Event{Process: 2, Type: TypeInvoke, F: FGet, Key: "k", Time: 40},
						Event{Process: 2, Type: TypeOk, F: FGet, Key: "k", Value: opt(observed), Time: 50})

					want := NotLinearizable
					for _, v := range c.allowed(init) {
						if v == observed {
							want = Linearizable
						}
					}
					for _, keep := range []bool{false, true} {
						res, err := Check(context.Background(), h, Options{KeepUnobserved: keep})
						require.NoError(t, err)
						assert.Equal(t, want, res.Verdict, "keep unobserved: %v", keep)
						assert.Equal(t, want, bruteForce(t, h), "brute force")
					}
				})
			}
		}
	}
}

// A read and an unknown write racing: the unknown write may land before the
// read (the read sees it) or never.
func TestModelStepDirect(t *testing.T) {
	a, b := &val{id: 1, s: "a"}, &val{id: 2, s: "b"}
	cases := []struct {
		name  string
		state *val
		p     pop
		ok    bool
		next  *val
	}{
		{"read matches", a, pop{kind: kRead, value: a}, true, a},
		{"read differs", a, pop{kind: kRead, value: b}, false, a},
		{"read absent", absentV, pop{kind: kRead, value: absentV}, true, absentV},
		{"write", a, pop{kind: kWrite, value: b}, true, b},
		{"delete absent key", absentV, pop{kind: kWrite, value: absentV}, true, absentV},
		{"cas ok matches", a, pop{kind: kCAS, expect: a, value: b}, true, b},
		{"cas ok differs", b, pop{kind: kCAS, expect: a, value: b}, false, b},
		{"cas ok on absent", absentV, pop{kind: kCAS, expect: a, value: b}, false, absentV},
		{"cas not, differs", b, pop{kind: kCASNot, expect: a}, true, b},
		{"cas not, absent differs", absentV, pop{kind: kCASNot, expect: a}, true, absentV},
		{"cas not, matches", a, pop{kind: kCASNot, expect: a}, false, a},
		{"cas maybe, matches", a, pop{kind: kCASMaybe, expect: a, value: b}, true, b},
		{"cas maybe, differs", b, pop{kind: kCASMaybe, expect: a, value: a}, true, b},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, next := step(c.state, &c.p)
			assert.Equal(t, c.ok, ok)
			assert.Same(t, c.next, next)
		})
	}
}
