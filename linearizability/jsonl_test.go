package linearizability

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sampleHistory = `{"process":3,"type":"invoke","f":"set","key":"k1","value":"v7","time":1200}
{"process":-1,"type":"info","f":"partition","value":"n1 | n2 n3","time":1300}
{"process":4,"type":"invoke","f":"get","key":"k1","value":null,"time":1400,"node":"n2"}
{"process":3,"type":"ok","f":"set","key":"k1","value":"v7","time":2500}
{"process":4,"type":"ok","f":"get","key":"k1","value":"v7","time":2600,"node":"n2"}
{"process":5,"type":"invoke","f":"cas","key":"k1","value":"v8","expect":"v7","time":2700}
{"process":5,"type":"fail","f":"cas","key":"k1","value":"v8","time":2800}
{"process":6,"type":"invoke","f":"delete","key":"k1","value":null,"time":2900}
{"process":6,"type":"info","f":"delete","key":"k1","value":null,"time":3000,"error":"timeout"}
{"process":-1,"type":"info","f":"heal","time":3100}
`

func TestReadWriteRoundTrip(t *testing.T) {
	events, err := ReadJSONL(strings.NewReader(sampleHistory))
	require.NoError(t, err)
	require.Len(t, events, 10)
	assert.Equal(t, Event{Process: 4, Type: TypeOk, F: FGet, Key: "k1", Value: Str("v7"), Time: 2600, Node: "n2"}, events[4])
	assert.Equal(t, "v7", *events[5].Expect)
	assert.Equal(t, "timeout", events[8].Error)
	assert.Nil(t, events[9].Value)

	var buf bytes.Buffer
	require.NoError(t, WriteJSONL(&buf, events))
	assert.Equal(t, sampleHistory, buf.String(), "the writer writes the format of DESIGN.md, field for field")
	again, err := ReadJSONL(&buf)
	require.NoError(t, err)
	assert.Equal(t, events, again)
}

func TestReadTrailingBlankLinesAndNoFinalNewline(t *testing.T) {
	events, err := ReadJSONL(strings.NewReader(strings.TrimSuffix(sampleHistory, "\n")))
	require.NoError(t, err)
	assert.Len(t, events, 10)
	events, err = ReadJSONL(strings.NewReader(sampleHistory + "\n  \n"))
	require.NoError(t, err)
	assert.Len(t, events, 10)
}

func TestReadErrorsNameTheLine(t *testing.T) {
	inv := `{"process":1,"type":"invoke","f":"set","key":"k","value":"a","time":10}`
	cases := []struct {
		name, history string
		line          int
		msg           string
	}{
		{"not json", inv + "\n{oops\n", 2, "not a history event"},
		{"two values", inv + ` {}` + "\n", 1, "more than one JSON value"},
		{"unknown field", `{"process":1,"type":"invoke","f":"get","key":"k","time":1,"colour":"red"}`, 1, "unknown field"},
		{"unknown type", `{"process":1,"type":"maybe","f":"get","key":"k","time":1}`, 1, `unknown type "maybe"`},
		{"unknown f", `{"process":1,"type":"invoke","f":"incr","key":"k","time":1}`, 1, `unknown f "incr"`},
		{"missing process", `{"type":"invoke","f":"get","key":"k","time":1}`, 1, `missing "process"`},
		{"missing time", `{"process":1,"type":"invoke","f":"get","key":"k"}`, 1, `missing "time"`},
		{"missing key", `{"process":1,"type":"invoke","f":"get","time":1}`, 1, `without "key"`},
		{"value not a string", `{"process":1,"type":"invoke","f":"set","key":"k","value":7,"time":1}`, 1, `"value" must be a string`},
		{"set without value", `{"process":1,"type":"invoke","f":"set","key":"k","time":1}`, 1, "set invocation without"},
		{"cas without expect", `{"process":1,"type":"invoke","f":"cas","key":"k","value":"a","time":1}`, 1, "cas invocation needs"},
		{"expect on set", `{"process":1,"type":"invoke","f":"set","key":"k","value":"a","expect":"b","time":1}`, 1, `"expect" on a set`},
		{"bad process", `{"process":-2,"type":"invoke","f":"get","key":"k","time":1}`, 1, "process -2"},
		{"completion without invocation", `{"process":1,"type":"ok","f":"get","key":"k","value":null,"time":1}`, 1, "no outstanding invocation"},
		{"two outstanding", inv + "\n" + `{"process":1,"type":"invoke","f":"get","key":"k","time":11}`, 2, "still outstanding"},
		{"completion of another op", inv + "\n" + `{"process":1,"type":"ok","f":"get","key":"k","time":11}`, 2, "does not match"},
		{"completion of another key", inv + "\n" + `{"process":1,"type":"ok","f":"set","key":"j","value":"a","time":11}`, 2, "does not match"},
		{"time backwards", inv + "\n" + `{"process":2,"type":"invoke","f":"get","key":"k","time":9}`, 2, "time goes backwards"},
		{"nemesis time backwards", inv + "\n" + `{"process":-1,"type":"info","f":"kill","time":3}`, 2, "time goes backwards"},
		{"reused after info", inv + "\n" + `{"process":1,"type":"info","f":"set","key":"k","time":11}` + "\n" + `{"process":1,"type":"invoke","f":"get","key":"k","time":12}`, 3, "retired"},
		{"blank line inside", inv + "\n\n" + `{"process":1,"type":"ok","f":"set","key":"k","time":11}`, 2, "blank line"},
		{"nemesis without f", `{"process":-1,"type":"info","f":"","time":1}`, 1, "nemesis event without"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadJSONL(strings.NewReader(c.history))
			require.Error(t, err)
			var le *LineError
			require.True(t, errors.As(err, &le), "%T %v", err, err)
			assert.Equal(t, c.line, le.Line)
			assert.Contains(t, err.Error(), c.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "line "), err.Error())
		})
	}
}

func TestNemesisVocabularyIsOpen(t *testing.T) {
	h := `{"process":-1,"type":"invoke","f":"clock-skew","value":"n1 +3s","time":1}
{"process":-1,"type":"ok","f":"clock-skew","time":2}
`
	events, err := ReadJSONL(strings.NewReader(h))
	require.NoError(t, err)
	assert.Len(t, events, 2)
}

func TestReaderStopsAtFirstError(t *testing.T) {
	r := NewReader(strings.NewReader("{bad\n" + sampleHistory))
	_, err := r.Next()
	require.Error(t, err)
	_, err2 := r.Next()
	assert.Equal(t, err, err2)
	assert.NotEqual(t, io.EOF, err)
}

func TestCheckRejectsMalformedEventsInMemory(t *testing.T) {
	_, err := Pair([]Event{{Process: 0, Type: TypeOk, F: FGet, Key: "k", Time: 1}})
	var le *LineError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 1, le.Line)
}

// FuzzReadJSONL: the reader never panics; what it accepts, the writer writes
// back to something it reads the same way.
func FuzzReadJSONL(f *testing.F) {
	f.Add(sampleHistory)
	for _, line := range strings.Split(sampleHistory, "\n") {
		f.Add(line)
	}
	f.Add(`{"process":1,"type":"invoke","f":"cas","key":"k","value":"a","expect":"b","time":1}` + "\n" + `{"process":1,"type":"fail","f":"cas","key":"k","time":1,"error":"x"}`)
	f.Add("{\"process\":0,\"type\":\"invoke\",\"f\":\"set\",\"key\":\"\\u00e9\\n\",\"value\":\"<&>\",\"time\":0}\n")
	f.Add("\n\n")
	f.Add(`{"process":1e3,"type":"invoke","f":"get","key":"k","time":1.5}`)
	f.Fuzz(func(t *testing.T, s string) {
		events, err := ReadJSONL(strings.NewReader(s))
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) || le.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteJSONL(&buf, events); err != nil {
			t.Fatal(err)
		}
		again, err := ReadJSONL(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("cannot read back what was written: %v\n%s", err, buf.String())
		}
		if len(events) == 0 && len(again) == 0 {
			return
		}
		assert.Equal(t, events, again)
	})
}

// FuzzFastParseAgrees checks that every line the fast path accepts is read
// the same way by the strict encoding/json path.
func FuzzFastParseAgrees(f *testing.F) {
	for _, line := range strings.Split(sampleHistory, "\n") {
		f.Add(line)
	}
	for _, s := range []string{
		`{"process":-1,"type":"info","f":"partition","value":"n1 | n2 n3","time":900}`,
		`{"process":1,"type":"invoke","f":"cas","key":"k","value":"a","expect":"b","time":1}`,
		`{"process":1,"type":"ok","f":"get","key":"k","value":null,"time":01}`,
		`{"process":1,"type":"ok","f":"get","key":"k","value":"é","time":1,"node":"n1","error":""}`,
		`{"process":1,"type":"ok","f":"get","key":"k","key":"j","value":null,"time":1}`,
		`{"process":1,"type":"ok","f":"get","key":"k\u0041","value":null,"time":1}`,
		` { "process" : 2 , "type":"invoke","f":"delete","key":"k","time":-0 } `,
		`{"process":1,"type":"ok","f":"get","key":"k","value":null,"time":1e3}`,
		`{"process":99999999999999999999,"type":"invoke","f":"get","key":"k","time":1}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		text := bytes.TrimSpace([]byte(line))
		fast, err := parseLineFast(text)
		if err != nil {
			return
		}
		slow, err := parseLineSlow(text)
		require.NoError(t, err, "fast path accepted a line the strict path refuses: %q", line)
		assert.Equal(t, slow, fast, "%q", line)
	})
}
