package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/raftlab/raftlab/api"
)

// MaxKeyLen bounds key length; longer keys are refused with 400.
const MaxKeyLen = 1024

func validKey(k string) error {
	switch {
	case k == "":
		return errors.New("empty key")
	case len(k) > MaxKeyLen:
		return fmt.Errorf("key of %d bytes exceeds %d", len(k), MaxKeyLen)
	case !utf8.ValidString(k):
		return errors.New("key is not valid UTF-8")
	}
	return nil
}

// decodeStrict decodes exactly one JSON value into v: unknown fields, a
// wrong type or anything after the value is an error. So is a body that is
// not valid UTF-8, or whose strings hold a lone UTF-16 surrogate escape:
// encoding/json would silently turn either into U+FFFD, storing a key or
// value other than the one sent. The check runs on the raw bytes, because
// after decoding the replacement cannot be told from a real U+FFFD.
func decodeStrict(body []byte, v any) error {
	if !utf8.Valid(body) {
		return errors.New("body is not valid UTF-8")
	}
	if loneSurrogateEscape(body) {
		return errors.New("body holds a lone UTF-16 surrogate escape (not valid UTF-8 once decoded)")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty body")
		}
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("invalid JSON: data after the object")
	}
	return nil
}

// DecodeSet parses a POST /key body: a non-empty JSON object of string values.
func DecodeSet(body []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := decodeStrict(body, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errors.New("body must be a JSON object of string values")
	}
	if len(raw) == 0 {
		return nil, errors.New("no keys given")
	}
	pairs := make(map[string]string, len(raw))
	for k, v := range raw {
		if err := validKey(k); err != nil {
			return nil, err
		}
		var s *string
		if err := json.Unmarshal(v, &s); err != nil || s == nil {
			return nil, fmt.Errorf("value of %q must be a string", k)
		}
		pairs[k] = *s
	}
	return pairs, nil
}

// DecodeCAS parses a POST /cas body; key, expect and value are all required.
func DecodeCAS(body []byte) (api.CASRequest, error) {
	var raw struct {
		Key    *string `json:"key"`
		Expect *string `json:"expect"`
		Value  *string `json:"value"`
	}
	if err := decodeStrict(body, &raw); err != nil {
		return api.CASRequest{}, err
	}
	if raw.Key == nil || raw.Expect == nil || raw.Value == nil {
		return api.CASRequest{}, errors.New(`cas needs string fields "key", "expect" and "value"`)
	}
	if err := validKey(*raw.Key); err != nil {
		return api.CASRequest{}, err
	}
	return api.CASRequest{Key: *raw.Key, Expect: *raw.Expect, Value: *raw.Value}, nil
}

// DecodeJoin parses a POST /join body.
func DecodeJoin(body []byte) (api.JoinRequest, error) {
	var j api.JoinRequest
	if err := decodeStrict(body, &j); err != nil {
		return j, err
	}
	return j, validateJoin(j)
}

// loneSurrogateEscape reports whether a JSON text has a \uD800–\uDFFF
// escape that is not a high surrogate followed by a low one. Escapes only
// occur inside strings, and a backslash there always starts one, so a
// plain scan of backslash pairs is exact.
func loneSurrogateEscape(b []byte) bool {
	hex4 := func(i int) (rune, bool) {
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return 0, false
		}
		var r rune
		for _, c := range b[i+2 : i+6] {
			switch {
			case '0' <= c && c <= '9':
				r = r<<4 | rune(c-'0')
			case 'a' <= c && c <= 'f':
				r = r<<4 | rune(c-'a'+10)
			case 'A' <= c && c <= 'F':
				r = r<<4 | rune(c-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		r, ok := hex4(i)
		switch {
		case !ok:
			i++ // some other escape: skip its second byte
		case 0xDC00 <= r && r <= 0xDFFF:
			return true
		case 0xD800 <= r && r <= 0xDBFF:
			lo, ok := hex4(i + 6)
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i += 11
		default:
			i += 5
		}
	}
	return false
}
