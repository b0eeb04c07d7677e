//go:build !failpoints

package main

import (
	"flag"

	"github.com/raftlab/raftlab/node"
)

// addBuildFlags adds nothing: only the failpoint build (-tags failpoints) has -failpoints.
func addBuildFlags(*flag.FlagSet, *node.Config) {}
