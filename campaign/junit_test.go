package campaign

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Generic JUnit shapes, independent of the writer's types, holding the
// elements and attributes that GitHub, GitLab and Jenkins reporters need.
type xSuites struct {
	XMLName xml.Name   `xml:"testsuites"`
	Attrs   []xml.Attr `xml:",any,attr"`
	Suites  []xSuite   `xml:"testsuite"`
}

type xSuite struct {
	Attrs []xml.Attr `xml:",any,attr"`
	Cases []xCase    `xml:"testcase"`
}

type xCase struct {
	Attrs   []xml.Attr `xml:",any,attr"`
	Failure []xProblem `xml:"failure"`
	Error   []xProblem `xml:"error"`
	Skipped []xProblem `xml:"skipped"`
}

type xProblem struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func attr(attrs []xml.Attr, name string) (string, bool) {
	for _, a := range attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func intAttr(t *testing.T, attrs []xml.Attr, name string) int {
	t.Helper()
	v, ok := attr(attrs, name)
	require.True(t, ok, "attribute %s missing", name)
	n, err := strconv.Atoi(v)
	require.NoError(t, err, "attribute %s=%q", name, v)
	return n
}

func TestJUnitParsesBackWithTheRequiredElementsAndCounts(t *testing.T) {
	m, out := sampleManifest(t)
	var buf bytes.Buffer
	require.NoError(t, WriteJUnit(&buf, m))
	assert.True(t, bytes.HasPrefix(buf.Bytes(), []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")))

	var doc xSuites
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc))
	require.Len(t, doc.Suites, 3, "one testsuite per scenario")
	var tests, failures, errs, skipped int
	for _, s := range doc.Suites {
		name, ok := attr(s.Attrs, "name")
		assert.True(t, ok && name != "", "testsuite name")
		n := intAttr(t, s.Attrs, "tests")
		require.Len(t, s.Cases, n, "%s: tests= counts its testcases", name)
		var f, e, sk int
		for _, c := range s.Cases {
			for _, a := range []string{"name", "classname", "time"} {
				v, ok := attr(c.Attrs, a)
				assert.True(t, ok && v != "", "%s: testcase without %s", name, a)
			}
			_, err := strconv.ParseFloat(func() string { v, _ := attr(c.Attrs, "time"); return v }(), 64)
			assert.NoError(t, err, "time is a number of seconds")
			assert.LessOrEqual(t, len(c.Failure)+len(c.Error)+len(c.Skipped), 1, "at most one outcome element")
			f, e, sk = f+len(c.Failure), e+len(c.Error), sk+len(c.Skipped)
			for _, p := range append(append(c.Failure, c.Error...), c.Skipped...) {
				assert.NotEmpty(t, p.Message, "%s: a problem without a message", name)
			}
		}
		assert.Equal(t, f, intAttr(t, s.Attrs, "failures"), name)
		assert.Equal(t, e, intAttr(t, s.Attrs, "errors"), name)
		assert.Equal(t, sk, intAttr(t, s.Attrs, "skipped"), name)
		tests, failures, errs, skipped = tests+n, failures+f, errs+e, skipped+sk
	}
	assert.Equal(t, tests, intAttr(t, doc.Attrs, "tests"))
	assert.Equal(t, failures, intAttr(t, doc.Attrs, "failures"))
	assert.Equal(t, errs, intAttr(t, doc.Attrs, "errors"))
	assert.Equal(t, skipped, intAttr(t, doc.Attrs, "skipped"))

	tl := m.Tally()
	assert.Equal(t, 9, tests)
	assert.Equal(t, tl.Fail+tl.Unknown, failures, "unexpected and unknown verdicts are failures")
	assert.Equal(t, tl.Error+tl.Pending, errs)
	assert.Equal(t, tl.Skipped, skipped)
	assert.Positive(t, tl.Fail)
	assert.Positive(t, tl.Unknown)
	assert.Positive(t, tl.Skipped)
	assert.Positive(t, tl.Error)

	// The unexpected violation's failure message is its explanation.
	found := false
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if n, _ := attr(c.Attrs, "name"); n == "kill-leader seed 2" {
				require.Len(t, c.Failure, 1)
				assert.Contains(t, c.Failure[0].Message, "NOT linearizable")
				assert.Contains(t, c.Failure[0].Message, "a value already overwritten")
				assert.Contains(t, c.Failure[0].Text, "chaoslab run --scenario kill-leader --seed 2 --duration 12s")
				found = true
			}
		}
	}
	assert.True(t, found)

	// The file the campaign wrote is the same document.
	onDisk, err := os.ReadFile(filepath.Join(out, JUnitFile))
	require.NoError(t, err)
	var again xSuites
	require.NoError(t, xml.Unmarshal(onDisk, &again))
}
