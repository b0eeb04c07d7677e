//go:build tools

// Package server pins the etcd server this module builds: the lab's etcd
// image is `go build go.etcd.io/etcd/server/v3` in this directory, so the
// lab's own module never links the etcd server.
package server

import _ "go.etcd.io/etcd/server/v3"
