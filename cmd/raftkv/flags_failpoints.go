//go:build failpoints

package main

import (
	"flag"

	"github.com/raftlab/raftlab/node"
)

// addBuildFlags adds the flags only the failpoint build has.
func addBuildFlags(fs *flag.FlagSet, cfg *node.Config) {
	fs.StringVar(&cfg.Failpoints, "failpoints", "",
		"failpoints and planted bugs armed at start: name=term;name2=term, terms off, on, panic, sleep(100ms), error(msg) (GET /failpoints lists the names)")
}
