// Command etcd is the etcd server of this module's release, built with
// gofail failpoints enabled (see system/etcd/gofail.go), plus one flag of
// the lab's: --raftlab-failpoints NAME=TERMS[;NAME=TERMS] arms failpoints
// before etcd starts. A name this release does not have is skipped with a
// line on stderr, so that one list serves every release (the fix of
// etcd#14370 moved the WAL save of a single member to a failpoint of its
// own, raftBeforeSaveWaitWalSync). The other arguments are etcd's.
//
// This file is the same in every server-vX module of system/etcd (a test
// there checks it): each module pins one release, so each needs its main.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"go.etcd.io/etcd/server/v3/etcdmain"
	"go.etcd.io/gofail/runtime"
)

const failpointsFlag = "--raftlab-failpoints"

func main() {
	args, spec := splitFailpoints(os.Args)
	for _, fp := range strings.Split(spec, ";") {
		if fp == "" {
			continue
		}
		name, terms, ok := strings.Cut(fp, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "%s %q: want NAME=TERMS\n", failpointsFlag, fp)
			os.Exit(2)
		}
		err := runtime.Enable(name, terms)
		switch {
		case errors.Is(err, runtime.ErrNoExist):
			fmt.Fprintf(os.Stderr, "raftlab: failpoint %s is not in this release; skipped\n", name)
		case err != nil:
			fmt.Fprintf(os.Stderr, "%s %s: %v\n", failpointsFlag, fp, err)
			os.Exit(2)
		default:
			fmt.Fprintf(os.Stderr, "raftlab: failpoint %s=%s armed\n", name, terms)
		}
	}
	etcdmain.Main(args)
}

// splitFailpoints removes the lab's flag (--raftlab-failpoints V or
// --raftlab-failpoints=V) from args and returns its value.
func splitFailpoints(args []string) ([]string, string) {
	var out []string
	spec := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == failpointsFlag && i+1 < len(args):
			spec = args[i+1]
			i++
		case strings.HasPrefix(a, failpointsFlag+"="):
			spec = strings.TrimPrefix(a, failpointsFlag+"=")
		default:
			out = append(out, a)
		}
	}
	return out, spec
}
