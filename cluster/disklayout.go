package cluster

import "fmt"

// DiskLayout is where a store keeps what the disk faults damage, on the
// node's volume (paths relative to its mount point, /data). A store without
// it is raftkv: RaftLogFiles, SnapshotFiles, StateMachineFiles, RaftDir and
// DataDir.
type DiskLayout interface {
	// DiskFile maps a file name of package chaos (raft-log, snapshot,
	// state-machine) to its files.
	DiskFile(name string) (DiskFile, error)
	// DiskDir maps a directory name of package chaos (RaftDir: the raft
	// log and its state; DataDir: the applied state) to the store's.
	DiskDir(name string) (string, error)
}

// DiskFile is one kind of a store's files.
type DiskFile struct {
	// Glob matches them; the newest match is the one damaged.
	Glob string
	// Preallocated files are filled from the front (etcd's WAL segments):
	// their written part ends at the last non-zero byte, and a lost tail
	// reads back as zeros (netfault disk -written).
	Preallocated bool
}

// raftkvFiles are raftkv's files by chaos name.
var raftkvFiles = map[string]DiskFile{
	"raft-log":      {Glob: RaftLogFiles},
	"snapshot":      {Glob: SnapshotFiles},
	"state-machine": {Glob: StateMachineFiles},
}

// diskFile is the store's file of the chaos name.
func (c *Cluster) diskFile(name string) (DiskFile, error) {
	if l, ok := c.store().(DiskLayout); ok {
		return l.DiskFile(name)
	}
	f, ok := raftkvFiles[name]
	if !ok {
		return DiskFile{}, fmt.Errorf("cluster: unknown node file %q (want raft-log, snapshot or state-machine)", name)
	}
	return f, nil
}

// diskDir is the store's directory of the chaos name (raftkv: the name).
func (c *Cluster) diskDir(name string) (string, error) {
	if l, ok := c.store().(DiskLayout); ok {
		return l.DiskDir(name)
	}
	if name != RaftDir && name != DataDir {
		return "", fmt.Errorf("cluster: unknown node directory %q (want %s or %s)", name, RaftDir, DataDir)
	}
	return name, nil
}
