package api

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClientOutcomeMapping(t *testing.T) {
	cases := []struct {
		status int
		body   string
		want   Outcome
	}{
		{400, `{"error":"bad"}`, Fail},
		{413, `{"error":"big"}`, Fail},
		{503, `{"error":"no leader","applied":false}`, Fail},
		{503, `{"error":"?"}`, Unknown},
		{500, `{"error":"lost","applied":"unknown"}`, Unknown},
		{504, `{"error":"timeout","applied":"unknown"}`, Unknown},
		{502, `garbage`, Unknown},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, errorResult(c.status, []byte(c.body)).Outcome, "%d %s", c.status, c.body)
	}
	// Nothing listens: the request was never sent, a definite failure.
	r := NewClient("127.0.0.1:1").Set(context.Background(), "k", "v")
	assert.Equal(t, Fail, r.Outcome, "%v", r.Err)
}
