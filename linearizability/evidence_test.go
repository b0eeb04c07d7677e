package linearizability

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The read level and the store's evidence survive a write and a read, on both
// parse paths, and bad values are refused naming the field.
func TestEvidenceFieldsRoundTrip(t *testing.T) {
	r := NewRecorder()
	c := r.NewClient("n2")
	c.GetAt("k", LevelStale).OkAt(Str("v1"), Evidence{Index: 42, Incarnation: "n2-ab12"})
	c.Set("k", "v2").OkAt(nil, Evidence{Index: 43})
	c.GetAt("k", LevelLinearizable).Ok(nil)
	var buf bytes.Buffer
	require.NoError(t, r.WriteJSONL(&buf))
	text := buf.String()
	assert.Contains(t, text, `"level":"stale"`)
	assert.Contains(t, text, `"index":42,"incarnation":"n2-ab12"`)
	got, err := ReadJSONL(strings.NewReader(text))
	require.NoError(t, err)
	require.Len(t, got, 6)
	assert.Equal(t, "stale", got[1].Level)
	assert.Equal(t, int64(42), got[1].Index)
	assert.Equal(t, "n2-ab12", got[1].Incarnation)
	assert.Equal(t, int64(43), got[3].Index)
	assert.Equal(t, LevelLinearizable, got[4].ReadLevel(), "linearizable is recorded as no field")
	// The slow path (an escape forces it) reads the same fields.
	slow, err := parseLineSlow([]byte(`{"process":1,"type":"ok","f":"get","key":"k\u0031","value":"v","time":5,"level":"leader","index":7,"incarnation":"x"}`))
	require.NoError(t, err)
	assert.Equal(t, "leader", slow.Level)
	assert.Equal(t, int64(7), slow.Index)
	for _, bad := range []string{
		`{"process":1,"type":"ok","f":"get","key":"k","value":"v","time":5,"level":"eventual"}`,
		`{"process":1,"type":"ok","f":"set","key":"k","value":"v","time":5,"level":"stale"}`,
		`{"process":1,"type":"ok","f":"get","key":"k","value":"v","time":5,"index":-3}`,
	} {
		_, err := ReadJSONL(strings.NewReader(bad + "\n"))
		assert.Error(t, err, bad)
	}
}
