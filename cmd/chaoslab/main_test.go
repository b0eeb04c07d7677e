package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/linearizability"
)

// chaoslab runs the CLI in-process.
func chaoslab(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), &env{stdout: &out, stderr: &errOut}, args)
	return code, out.String(), errOut.String()
}

const testdata = "../../linearizability/testdata"

func TestCheckTestdataPairs(t *testing.T) {
	oks, err := filepath.Glob(filepath.Join(testdata, "*.ok.jsonl"))
	require.NoError(t, err)
	require.NotEmpty(t, oks)
	for _, ok := range oks {
		bad := strings.Replace(ok, ".ok.", ".bad.", 1)
		t.Run(filepath.Base(ok), func(t *testing.T) {
			code, out, _ := chaoslab(t, "check", ok)
			assert.Equal(t, exitOK, code, out)
			assert.Contains(t, out, "verdict: linearizable")

			code, out, _ = chaoslab(t, "check", bad)
			assert.Equal(t, exitNotLinear, code, out)
			assert.Contains(t, out, "verdict: not linearizable")
			assert.Contains(t, out, `key "x" is not linearizable`, "names the key")
			assert.Contains(t, out, "None of the operations that could come next is possible", "names the operations")
		})
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

// pathological is a history porcupine cannot decide quickly.
func pathological(t *testing.T) string {
	var events []linearizability.Event
	tm := int64(0)
	tick := func() int64 { tm += 10; return tm }
	const n = 26
	for i := 0; i < n; i++ {
		events = append(events, linearizability.Event{Process: i, Type: "invoke", F: "set", Key: "p", Value: linearizability.Str(fmt.Sprint(i)), Time: tick()})
	}
	// Each value read once, in turn, then the first one again: the search
	// must try every subset of the unknown writes. (A value nobody wrote
	// would be a never-written read, which readcheck names at once.)
	for i := n; i >= 0; i-- {
		v := fmt.Sprint(i - 1)
		if i == 0 {
			v = fmt.Sprint(n - 1)
		}
		p := 2*n - i
		events = append(events,
			linearizability.Event{Process: p, Type: "invoke", F: "get", Key: "p", Time: tick()},
			linearizability.Event{Process: p, Type: "ok", F: "get", Key: "p", Value: &v, Time: tick()})
	}
	var buf bytes.Buffer
	require.NoError(t, linearizability.WriteJSONL(&buf, events))
	return writeFile(t, "pathological.jsonl", buf.String())
}

func TestCheckUnknownExitsTwo(t *testing.T) {
	file := pathological(t)
	code, out, _ := chaoslab(t, "check", "--timeout", "100ms", file)
	assert.Equal(t, exitUnknown, code, out)
	assert.Contains(t, out, "verdict: unknown")
	assert.Contains(t, out, `key "p": unknown: time budget of 100ms ran out`)
}

func TestCheckUnreadableExitsThreeNamingTheLine(t *testing.T) {
	good := `{"process":0,"type":"invoke","f":"get","key":"k","time":1}`
	cases := map[string]struct {
		content string
		line    int
		msg     string
	}{
		"bad json":            {good + "\n{nope\n", 2, "not a history event"},
		"unknown f":           {`{"process":0,"type":"invoke","f":"incr","key":"k","time":1}`, 1, `unknown f "incr"`},
		"orphan completion":   {`{"process":0,"type":"ok","f":"get","key":"k","value":null,"time":1}`, 1, "no outstanding invocation"},
		"two outstanding":     {good + "\n" + good, 2, "still outstanding"},
		"time goes backwards": {good + "\n" + `{"process":1,"type":"invoke","f":"get","key":"k","time":0}`, 2, "time goes backwards"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			file := writeFile(t, "h.jsonl", c.content)
			code, out, errOut := chaoslab(t, "check", file)
			assert.Equal(t, exitUnreadable, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, fmt.Sprintf("%s:%d: ", file, c.line))
			assert.Contains(t, errOut, c.msg)
		})
	}
	code, _, errOut := chaoslab(t, "check", filepath.Join(t.TempDir(), "missing.jsonl"))
	assert.Equal(t, exitUnreadable, code)
	assert.Contains(t, errOut, "no such file")
}

func TestCheckUsageErrorsExitFour(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nosuchcommand"},
		{"check"},
		{"check", "a", "b"},
		{"check", "--bogus", "a"},
		{"check", "--timeout", "soon", "a"},
		{"check", "--timeout", "-1s", "a"},
		{"draw", filepath.Join(testdata, "stale-read.ok.jsonl")},
	} {
		code, _, errOut := chaoslab(t, args...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Contains(t, errOut, "usage: chaoslab", "%v", args)
	}
	code, out, _ := chaoslab(t, "help", "check")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "--timeout D")
}

func TestCheckFlagsBeforeOrAfterFileJSONAndHTML(t *testing.T) {
	bad := filepath.Join(testdata, "lost-write.bad.jsonl")
	html := filepath.Join(t.TempDir(), "out.html")
	for _, args := range [][]string{
		{"check", "--json", "--html", html, bad},
		{"check", bad, "--json", "--html", html},
		{"check", "--json", bad, "--html=" + html},
	} {
		require.NoError(t, os.RemoveAll(html))
		code, out, errOut := chaoslab(t, args...)
		assert.Equal(t, exitNotLinear, code, "%v", args)
		var res struct {
			Verdict      string
			Keys         map[string]struct{ Verdict string }
			Explanations []struct{ Key, Summary string }
		}
		require.NoError(t, json.Unmarshal([]byte(out), &res), out)
		assert.Equal(t, "not linearizable", res.Verdict)
		assert.Equal(t, "not linearizable", res.Keys["x"].Verdict)
		require.Len(t, res.Explanations, 1)
		assert.Contains(t, res.Explanations[0].Summary, "stale read")
		page, err := os.ReadFile(html)
		require.NoError(t, err, errOut)
		assert.Contains(t, string(page), "nemesis: kill")
	}
}

func TestCheckHTMLCannotBeWrittenExitsFive(t *testing.T) {
	code, _, errOut := chaoslab(t, "check", filepath.Join(testdata, "stale-read.ok.jsonl"), "--html", filepath.Join(t.TempDir(), "no", "such", "dir.html"))
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "no such file")
}

func TestDraw(t *testing.T) {
	html := filepath.Join(t.TempDir(), "draw.html")
	for _, f := range []string{"unknown-write-late.ok.jsonl", "unknown-write-late.bad.jsonl"} {
		code, _, errOut := chaoslab(t, "draw", filepath.Join(testdata, f), "--html", html)
		require.Equal(t, exitOK, code, errOut)
		page, err := os.ReadFile(html)
		require.NoError(t, err)
		assert.Contains(t, string(page), "nemesis: partition")
		assert.Contains(t, string(page), "partition n1 | n2 n3")
	}
	code, _, errOut := chaoslab(t, "draw", "--html", html, writeFile(t, "bad.jsonl", "{"))
	assert.Equal(t, exitUnreadable, code)
	assert.Contains(t, errOut, ":1: ")
	code, _, errOut = chaoslab(t, "draw", "--html", html, "--keys", "nope", filepath.Join(testdata, "stale-read.ok.jsonl"))
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, `no key "nope"`)
}
