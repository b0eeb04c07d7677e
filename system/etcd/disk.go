package etcd

import (
	"fmt"

	"github.com/raftlab/raftlab/cluster"
)

// etcd's files under the node's volume (--data-dir /data/etcd).
const (
	walDir  = "etcd/member/wal"
	snapDir = "etcd/member/snap"
)

// etcdFiles maps package chaos's file names to etcd's: the raft log is the
// WAL (segments preallocated to 64 MiB of zeros, so a lost tail is zeroed,
// not cut), the snapshot is raft's snapshot files (CRC-checked; written
// every --snapshot-count entries, so a short run may have none), the state
// machine is the bbolt backend.
var etcdFiles = map[string]cluster.DiskFile{
	"raft-log":      {Glob: walDir + "/*.wal", Preallocated: true},
	"snapshot":      {Glob: snapDir + "/*.snap"},
	"state-machine": {Glob: snapDir + "/db"},
}

// DiskFile implements cluster.DiskLayout.
func (Store) DiskFile(name string) (cluster.DiskFile, error) {
	f, ok := etcdFiles[name]
	if !ok {
		return cluster.DiskFile{}, fmt.Errorf("etcd: unknown node file %q (want raft-log, snapshot or state-machine)", name)
	}
	return f, nil
}

// DiskDir implements cluster.DiskLayout: the raft directory is the WAL
// (entries, term and vote), the data directory is snap (the bbolt backend
// and raft's snapshots).
func (Store) DiskDir(name string) (string, error) {
	switch name {
	case cluster.RaftDir:
		return walDir, nil
	case cluster.DataDir:
		return snapDir, nil
	}
	return "", fmt.Errorf("etcd: unknown node directory %q (want %s or %s)", name, cluster.RaftDir, cluster.DataDir)
}

var _ cluster.DiskLayout = Store{}
