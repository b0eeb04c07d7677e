// Package systems names the built-in systems under test, so that command
// lines, campaigns and tests choose one by name ("raftkv", "etcd") without
// package system importing its implementations.
package systems

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/raftlab/raftlab/system"
	"github.com/raftlab/raftlab/system/etcd"
)

// Default is the system used when none is named.
const Default = "raftkv"

// EnvSystem names the system `go test ./scenarios` runs on.
const EnvSystem = "RAFTLAB_SYSTEM"

// Source says where a system's node comes from: NodeSrc (raftkv only) a
// checkout to build, Image a ready image. Both empty: built from this tree.
type Source struct {
	NodeSrc string
	Image   string
}

// Names are the built-in systems, the default first. etcd also takes a
// release and a variant: etcd@v3.5.4, etcd@v3.5.4+slow-wal (etcd.ParseName).
func Names() []string { return []string{"raftkv", "etcd"} }

// Lookup returns the system named name ("" = Default). A release of etcd
// is part of the name (etcd@VERSION) rather than a flag of its own, so that
// every place that names a system takes it: --system, compare's --systems
// list, $RAFTLAB_SYSTEM, the folders and pages that show the system.
func Lookup(name string, src Source) (system.System, error) {
	if src.NodeSrc != "" && src.Image != "" {
		return nil, errors.New("--node-src and --image are exclusive: the store comes from a source tree or from a ready image")
	}
	if name == "" || name == "raftkv" {
		return system.Raftkv{NodeSrc: src.NodeSrc, Image: src.Image}, nil
	}
	if name == "etcd" || strings.HasPrefix(name, "etcd@") || strings.HasPrefix(name, "etcd+") {
		if src.NodeSrc != "" {
			return nil, fmt.Errorf("--node-src builds raftkv from a checkout; etcd %s is built from system/etcd/server (or pass --image)", etcd.Version)
		}
		s, err := etcd.ParseName(name)
		if err != nil {
			return nil, err
		}
		s.Image = src.Image
		return s, nil
	}
	return nil, fmt.Errorf("unknown system %q (known: %s; etcd@VERSION for a release: %s)", name,
		strings.Join(Names(), ", "), strings.Join(etcd.ReleaseVersions(), ", "))
}

// Environment variables of FromEnv: the test suites' --node-src and --image.
const (
	EnvNodeSrc = "RAFTLAB_NODE_SRC"
	EnvImage   = "RAFTLAB_IMAGE"
)

// FromEnv returns the system named by $RAFTLAB_SYSTEM (default raftkv),
// its node from $RAFTLAB_NODE_SRC or $RAFTLAB_IMAGE when set: what `go
// test ./scenarios` runs on.
func FromEnv() (system.System, error) {
	return Lookup(os.Getenv(EnvSystem), Source{NodeSrc: os.Getenv(EnvNodeSrc), Image: os.Getenv(EnvImage)})
}
