package main

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bad flags are refused before anything touches the kernel, with the flag
// named.
func TestDelayRejectsBadFlags(t *testing.T) {
	for args, want := range map[string][]string{
		"-delay and -jitter must not be negative": {"-delay", "-1ms", "-out", "10.0.0.1"},
		"-jitter needs":      {"-jitter", "5ms", "-out", "10.0.0.1"},
		"-reorder must be":   {"-delay", "5ms", "-reorder", "101", "-out", "10.0.0.1"},
		"-reorder needs":     {"-reorder", "5", "-duplicate", "5", "-out", "10.0.0.1"},
		"-duplicate must be": {"-duplicate", "200", "-out", "10.0.0.1"},
		"nothing to do":      {"-out", "10.0.0.1"},
		"-in: not an IPv4":   {"-delay", "5ms", "-in", "n2"},
		"no peers":           {"-delay", "5ms"},
		"-duplicate acts on": {"-duplicate", "5", "-in", "10.0.0.1"},
		"-out: not an IPv4":  {"-delay", "5ms", "-out", "::1"},
	} {
		_, err := delay(want)
		require.Error(t, err, "%v", want)
		assert.Contains(t, err.Error(), args)
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}
