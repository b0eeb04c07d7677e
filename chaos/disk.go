package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// Disk faults damage a node's files while it is down (jepsen.etcd's
// :truncate-wal, :bitflip-wal and :bitflip-snap). What the store must do
// afterwards is in docs/DESIGN.md ("Disk faults"): recover from its peers
// or refuse to start, never serve or vote with lost or corrupted state.

// DefaultStartWait is how long a disk nemesis's Heal waits for a restarted
// node to answer before it counts it as refusing to start.
const DefaultStartWait = 5 * time.Second

// DiskTruncate crashes one node (SIGKILL), cuts the tail of its raft log
// (Bytes of the newest Badger value log, never more than half of it: the
// freshest entries), and Heal starts it again. A node that refuses to start
// is replaced by an empty one (its peers hold the data). History:
// "truncate n2" … "start n2", or … "member-add n2" when it was replaced.
type DiskTruncate struct {
	Target Target
	// Bytes to cut (default 8 KiB: some tens of entries).
	Bytes int64
	// StartWait: see DefaultStartWait.
	StartWait time.Duration
}

// Name is "disk-truncate-leader", "-follower" or "-node".
func (d DiskTruncate) Name() string { return "disk-truncate-" + d.Target.String() }

// Inject kills the chosen node and truncates its log.
func (d DiskTruncate) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	kc, dc, mc, err := surgeryHandles(c, d.Name())
	if err != nil {
		return nil, err
	}
	id, err := pickTarget(ctx, c, d.Target, rng)
	if err != nil {
		return nil, err
	}
	bytes := d.Bytes
	if bytes <= 0 {
		bytes = 8 << 10
	}
	if err := kc.KillNode(ctx, id); err != nil {
		return nil, err
	}
	what, err := dc.TruncateNodeFile(ctx, id, FileRaftLog, bytes, 0.5)
	if err != nil {
		return nil, err
	}
	return restartFault(c, kc, mc, d.Name(), fault.Truncate, id, what, d.StartWait), nil
}

// BitFlip crashes one node, flips Bits random bits in one of its files
// (File: FileRaftLog or FileSnapshot), and Heal starts it again; a node
// that refuses to start is replaced by an empty one. History: "bitflip n2
// snapshot" … "start n2 snapshot", or … "member-add n2 snapshot".
type BitFlip struct {
	Target Target
	File   string
	// Bits to flip (default 1).
	Bits int
	// From is the fraction of the file before which no bit is flipped
	// (0: anywhere).
	From float64
	// StartWait: see DefaultStartWait.
	StartWait time.Duration
}

// Name is "bitflip-<file>-<target>", e.g. "bitflip-snapshot-follower".
func (b BitFlip) Name() string { return "bitflip-" + b.File + "-" + b.Target.String() }

// Inject kills the chosen node and damages its file.
func (b BitFlip) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	if b.File != FileRaftLog && b.File != FileSnapshot {
		return nil, fmt.Errorf("chaos: bitflip: unknown file %q (want %s or %s)", b.File, FileRaftLog, FileSnapshot)
	}
	kc, dc, mc, err := surgeryHandles(c, b.Name())
	if err != nil {
		return nil, err
	}
	id, err := pickTarget(ctx, c, b.Target, rng)
	if err != nil {
		return nil, err
	}
	seed := rng.Uint64()
	bits := max(b.Bits, 1)
	if err := kc.KillNode(ctx, id); err != nil {
		return nil, err
	}
	what, err := dc.FlipNodeBits(ctx, id, b.File, bits, b.From, seed)
	if err != nil {
		return nil, err
	}
	return restartFault(c, kc, mc, b.Name(), fault.Bitflip, id+" "+b.File, what, b.StartWait), nil
}

// restartFault is the fault of a node left down with damaged files: Heal
// starts it and, when it does not answer within wait (it refused to
// start), replaces it with an empty node and records "member-add".
func restartFault(c Cluster, kc Killer, mc Members, name string, kind fault.Kind, value, detail string, wait time.Duration) *Fault {
	if wait <= 0 {
		wait = DefaultStartWait
	}
	id, _, _ := strings.Cut(value, " ")
	var f *Fault
	f = NewFault(name, kind, value, []string{id}, fault.Start, func(ctx context.Context) error {
		if err := kc.StartNode(ctx, id); err != nil {
			return err
		}
		if answers(ctx, c, id, wait) {
			return nil
		}
		if err := mc.DestroyNode(ctx, id); err != nil {
			return fmt.Errorf("%s refused to start; replacing it: %w", id, err)
		}
		if err := mc.ReplaceNode(ctx, id); err != nil {
			return fmt.Errorf("%s refused to start; replacing it: %w", id, err)
		}
		f.HealKind = fault.MemberAdd
		return nil
	})
	f.Detail = detail
	return f
}

// answers reports whether the node answers /status within wait.
func answers(ctx context.Context, c Cluster, id string, wait time.Duration) bool {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		sctx, scancel := context.WithTimeout(wctx, time.Second)
		_, err := c.NodeStatus(sctx, id)
		scancel()
		if err == nil {
			return true
		}
		select {
		case <-wctx.Done():
			return false
		case <-t.C:
		}
	}
}

// DiskLies is a power loss of the whole cluster in which a majority's disks
// had lied about fsync: every node is killed at once; on a random majority
// the freshest Bytes of the raft log are cut (acknowledged entries are
// gone) and so is the same amount of the state machine's log (it is never
// fsynced, so a power loss cuts it anyway; it then holds fewer entries than
// the raft log, so nothing on the node shows that anything is missing). The
// majority is started and given until a leader is elected among it (at most
// LeaderWait); Heal starts the others, whose logs the new leader then
// overwrites. No raft implementation survives this: a scenario using it
// must find lost acknowledged writes. History: "disk-lies n1 n3" … "start
// n1 n3".
type DiskLies struct {
	// Bytes cut from each liar's raft log and state machine log (default
	// 16 KiB, never more than half of a file).
	Bytes int64
}

// Name is "disk-lies".
func (DiskLies) Name() string { return "disk-lies" }

// Inject crashes the cluster and truncates the majority's logs.
func (d DiskLies) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	var (
		kc Killer
		dc Disker
	)
	if err := need(c, d.Name(), &kc, &dc); err != nil {
		return nil, err
	}
	bytes := d.Bytes
	if bytes <= 0 {
		bytes = 16 << 10
	}
	ids := c.NodeIDs()
	liars := RandomMajority(ids, rng)
	var rest []string
	for _, id := range ids {
		if !slices.Contains(liars, id) {
			rest = append(rest, id)
		}
	}
	spread, err := kc.KillNodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	var what []string
	for _, id := range liars {
		for _, file := range []string{FileRaftLog, FileStateMachine} {
			w, err := dc.TruncateNodeFile(ctx, id, file, bytes, 0.5)
			if err != nil {
				return nil, err
			}
			what = append(what, id+" "+w)
		}
	}
	if err := startAll(ctx, kc, liars); err != nil {
		return nil, err
	}
	// The liars elect a leader among themselves (the others are down); its
	// log lacks the entries that were cut. No leader (nodes that refuse to
	// start) is an outcome too, not an injection failure.
	lctx, cancel := context.WithTimeout(ctx, LeaderWait)
	_, lerr := c.LeaderID(lctx)
	cancel()
	for _, id := range liars {
		if st, err := c.NodeStatus(ctx, id); err == nil {
			what = append(what, fmt.Sprintf("%s restarted with last index %d, applied %d", id, st.LastIndex, st.AppliedIndex))
		}
	}
	value := strings.Join(liars, " ")
	f := NewFault(d.Name(), fault.DiskLies, value, append(append([]string(nil), liars...), rest...), fault.Start, func(ctx context.Context) error {
		return startAll(ctx, kc, rest)
	})
	f.Detail = fmt.Sprintf("SIGKILLs within %s; %s; down until heal: %s", spread.Round(10*time.Microsecond), strings.Join(what, "; "), strings.Join(rest, " "))
	if lerr != nil {
		f.Detail += "; no leader among the liars: " + lerr.Error()
	}
	return f, nil
}
