package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
	"github.com/raftlab/raftlab/fault"
)

// Files of a node's data volume (mounted at /data in the node container),
// as globs for the disk faults. The last match in name order is the newest.
const (
	// RaftLogFiles are the value log files of the raft log and stable store
	// (BadgerDB v2 under -raftdir/store). Every write lands in the newest
	// one first, so its tail holds the freshest log entries.
	RaftLogFiles = "raft/store/*.vlog"
	// SnapshotFiles are raft's snapshot data files (-raftdir/snapshots).
	SnapshotFiles = "raft/snapshots/*/state.bin"
	// StateMachineFiles are the value log files of the state machine's
	// BadgerDB (-datadir).
	StateMachineFiles = "kv/*.vlog"
)

// DiskChange is what a disk fault did to a file (netfault's answer).
type DiskChange = fault.DiskChange

// Truncate cuts the last bytes bytes of the newest file matching glob on
// the node's volume, keeping at least the fraction keep (0..1) of it: a lost
// tail of a write-ahead log. The node must be down (Kill or Stop first).
func (n *Node) Truncate(ctx context.Context, glob string, bytes int64, keep float64) (DiskChange, error) {
	return n.truncate(ctx, DiskFile{Glob: glob}, bytes, keep)
}

// truncate is Truncate of a store's file; a preallocated file's written
// tail is zeroed instead of cut.
func (n *Node) truncate(ctx context.Context, f DiskFile, bytes int64, keep float64) (DiskChange, error) {
	return n.diskFault(ctx, f.args("truncate",
		"-bytes", strconv.FormatInt(bytes, 10), "-keep-ratio", strconv.FormatFloat(keep, 'f', -1, 64))...)
}

// args are netfault disk's operation op and flags for the file, then more.
func (f DiskFile) args(op string, more ...string) []string {
	a := []string{op, "-glob", f.Glob}
	if f.Preallocated {
		a = append(a, "-written")
	}
	return append(a, more...)
}

// FlipBits flips bits random bits (chosen by seed) in the newest file
// matching glob on the node's volume, none in the first fraction skip (0..1)
// of it: silent media corruption. The node must be down.
func (n *Node) FlipBits(ctx context.Context, glob string, bits int, skip float64, seed uint64) (DiskChange, error) {
	return n.flipBits(ctx, DiskFile{Glob: glob}, bits, skip, seed)
}

// flipBits is FlipBits in a store's file (a preallocated one's written
// part).
func (n *Node) flipBits(ctx context.Context, f DiskFile, bits int, skip float64, seed uint64) (DiskChange, error) {
	return n.diskFault(ctx, f.args("bitflip", "-bits", strconv.Itoa(bits),
		"-keep-ratio", strconv.FormatFloat(skip, 'f', -1, 64), "-seed", strconv.FormatUint(seed, 10))...)
}

// diskFault runs `netfault disk` in a short-lived helper container of the
// node image that mounts the node's volume at /data, without a network. The
// helper carries the cluster's labels, so Close and the sweeps remove it if
// it is left behind.
func (n *Node) diskFault(ctx context.Context, args ...string) (DiskChange, error) {
	var ch DiskChange
	out, err := n.diskHelper(ctx, args...)
	if err != nil {
		return ch, err
	}
	if err := json.Unmarshal(out, &ch); err != nil {
		return ch, fmt.Errorf("%s: netfault disk: %w: %s", n.id, err, out)
	}
	n.c.log.Info("cluster: disk fault", "node", n.id, "op", args[0], "file", ch.File, "size", ch.Size, "new_size", ch.NewSize, "flipped", ch.Flipped)
	return ch, nil
}

// diskHelper runs `netfault disk ARGS` (see diskFault) and returns what it
// printed on stdout.
func (n *Node) diskHelper(ctx context.Context, args ...string) ([]byte, error) {
	var ch []byte
	switch st, err := n.ContainerState(ctx); {
	case err != nil:
		return ch, err
	case st == "running" || st == "paused":
		return ch, fmt.Errorf("%s: disk fault on a %s node: kill or stop it first", n.id, st)
	}
	c := n.c
	var b [3]byte
	_, _ = rand.Read(b[:])
	created, err := c.dc.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: fmt.Sprintf("raftlab-%s-%s-disk-%s", c.id, n.id, hex.EncodeToString(b[:])),
		Config: &container.Config{
			Image:      c.image,
			Entrypoint: []string{"/netfault"},
			Cmd:        append([]string{"disk", args[0], "-dir", "/data"}, args[1:]...),
			Labels:     n.labels("disk"),
		},
		HostConfig: &container.HostConfig{
			NetworkMode: "none",
			Mounts:      []mount.Mount{{Type: mount.TypeVolume, Source: n.volume, Target: "/data"}},
		},
	})
	if err != nil {
		return ch, fmt.Errorf("%s: disk helper: %w", n.id, err)
	}
	id := created.ID
	defer func() {
		_, _ = c.dc.ContainerRemove(context.WithoutCancel(ctx), id, client.ContainerRemoveOptions{Force: true})
	}()
	wait := c.dc.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := c.dc.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		return ch, fmt.Errorf("%s: disk helper: start: %w", n.id, err)
	}
	var code int64
	select {
	case r := <-wait.Result:
		code = r.StatusCode
	case err := <-wait.Error:
		return ch, fmt.Errorf("%s: disk helper: wait: %w", n.id, err)
	}
	rc, err := c.dc.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return ch, fmt.Errorf("%s: disk helper: logs: %w", n.id, err)
	}
	defer rc.Close()
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, rc); err != nil && !errors.Is(err, io.EOF) {
		return ch, fmt.Errorf("%s: disk helper: logs: %w", n.id, err)
	}
	if code != 0 {
		return ch, fmt.Errorf("%s: netfault disk %v: exit %d: %s", n.id, args, code, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}
