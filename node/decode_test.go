package node

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzDecodeRequests checks that request decoding never panics and only
// accepts what the API allows. Its seed corpus runs in every `go test`.
func FuzzDecodeRequests(f *testing.F) {
	for _, s := range []string{
		`{"a":"1"}`, `{"answer":"41","foo":"bar"}`, `{}`, `null`, `[]`, `{"a":1}`, `{"a":null}`,
		`{"":"x"}`, `{"a":"1"} x`, `{"key":"k","expect":"a","value":"b"}`, `{"key":"k"}`,
		`{"id":"n1","raft_addr":"10.0.0.1:7000","http_addr":"10.0.0.1:8080"}`, `{"a":"\u0000"}`, "{\"\xff\":\"v\"}",
		`{"a":"1","a":"2"}`, `"str"`, ``, `{"a":"1"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if pairs, err := DecodeSet(body); err == nil {
			require.NotEmpty(t, pairs)
			for k := range pairs {
				require.NoError(t, validKey(k))
			}
			// What was accepted must be a JSON object that re-encodes.
			_, err := json.Marshal(pairs)
			require.NoError(t, err)
		}
		if c, err := DecodeCAS(body); err == nil {
			require.NoError(t, validKey(c.Key))
			require.True(t, utf8.ValidString(c.Key))
		}
		if j, err := DecodeJoin(body); err == nil {
			require.NoError(t, validateJoin(j))
		}
	})
}

func TestDecodeSetKeepsValuesExactly(t *testing.T) {
	pairs, err := DecodeSet([]byte(`{"a":"","b":"x\"y","c":"\u00e9"}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "", "b": `x"y`, "c": "é"}, pairs)
}

// encoding/json turns invalid UTF-8 and lone surrogate escapes into U+FFFD
// without an error; the decoders must refuse them instead of storing
// another key or value than the one sent.
func TestDecodeRefusesInvalidUTF8(t *testing.T) {
	for _, body := range []string{
		"{\"\xff\":\"v\"}", "{\"k\":\"\xc3\"}", `{"\udc80":"v"}`, `{"k":"\ud800"}`, `{"k":"\ud800x"}`, `{"k":"\ud800\u0041"}`,
	} {
		_, err := DecodeSet([]byte(body))
		assert.Error(t, err, "%q", body)
	}
	_, err := DecodeCAS([]byte("{\"key\":\"\xff\",\"expect\":\"a\",\"value\":\"b\"}"))
	assert.Error(t, err)
	// Real non-ASCII text, a real U+FFFD and a surrogate pair pass.
	pairs, err := DecodeSet([]byte(`{"é\\":"\ufffd","\ud83d\ude00":"` + "\uFFFD" + `"}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"é\\": "\uFFFD", "😀": "\uFFFD"}, pairs)
}
