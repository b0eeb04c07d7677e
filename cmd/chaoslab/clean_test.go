package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCleanRefusesUnknownFlagsAndArguments(t *testing.T) {
	for _, args := range [][]string{{"clean", "--bogus"}, {"clean", "extra"}} {
		code, _, stderr := cli(args...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Contains(t, stderr, "usage: chaoslab clean", "%v", args)
	}
	code, stdout, _ := cli("help", "clean")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "--all")
}
