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
// wrong type or anything after the value is an error.
func decodeStrict(body []byte, v any) error {
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
