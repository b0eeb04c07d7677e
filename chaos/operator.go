package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// A node's two directories, as the operator nemeses name them: the raft
// directory (-raftdir: log, term and vote, snapshots) and the data
// directory (-datadir: the state machine).
const (
	DirRaft = "raft"
	DirData = "kv"
)

// dirWord is how a nemesis name spells a directory: "raft", "data".
func dirWord(dir string) string {
	if dir == DirData {
		return "data"
	}
	return dir
}

// operatorGrace is how long a clean stop may take: the operator shut the
// node down properly before touching its files.
const operatorGrace = 5 * time.Second

// DirLost is an operator deleting one of a stopped node's two directories
// and keeping the other (cleaning up "old" files, a volume mounted at the
// wrong place): the node is stopped cleanly, the directory removed, and
// Heal starts it. The store must rebuild safely or refuse to start with a
// clear error (docs/DESIGN.md, "Operator errors on disk"); a node that
// refuses is replaced by an empty one. History: "dir-lost n1 raft" …
// "start n1 raft", or … "member-add n1 raft".
type DirLost struct {
	Target Target
	Dir    string // DirRaft or DirData
	// Start starts the node again at once, in Inject (a node whose
	// supervisor restarts it): the fault in place is the node running on
	// what is left, or refusing to start. Heal then replaces it if it
	// refused, and does nothing more if it runs.
	Start bool
	// StartWait: see DefaultStartWait.
	StartWait time.Duration
}

// Name is "raft-dir-lost-<target>" or "data-dir-lost-<target>", with
// "-start" before the target when Start is set.
func (d DirLost) Name() string {
	if d.Start {
		return dirWord(d.Dir) + "-dir-lost-start-" + d.Target.String()
	}
	return dirWord(d.Dir) + "-dir-lost-" + d.Target.String()
}

// Inject stops the chosen node and removes its directory.
func (d DirLost) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	if err := checkDir(d.Dir); err != nil {
		return nil, err
	}
	id, err := pickTarget(ctx, c, d.Target, rng)
	if err != nil {
		return nil, err
	}
	return d.InjectAt(ctx, c, id, rng)
}

// InjectAt is Inject aimed at node id (Aimable: a part of a Compound).
func (d DirLost) InjectAt(ctx context.Context, c Cluster, id string, rng *rand.Rand) (*Fault, error) {
	if err := checkDir(d.Dir); err != nil {
		return nil, err
	}
	kc, dc, mc, err := surgeryHandles(c, d.Name())
	if err != nil {
		return nil, err
	}
	before := appliedOf(ctx, c, id)
	if err := kc.StopNode(ctx, id, operatorGrace); err != nil {
		return nil, err
	}
	what, err := dc.RemoveNodeDir(ctx, id, d.Dir)
	if err != nil {
		return nil, err
	}
	if before > 0 {
		what += fmt.Sprintf("; the node had applied %d entries", before)
	}
	if !d.Start {
		return restartFault(c, kc, mc, d.Name(), fault.DirLost, id+" "+d.Dir, what, d.StartWait), nil
	}
	if err := kc.StartNode(ctx, id); err != nil {
		return nil, err
	}
	return replaceIfDown(c, mc, d.Name(), fault.DirLost, id, d.Dir, what, d.StartWait), nil
}

// replaceIfDown is the fault of a node started on damaged files: Heal leaves
// it alone when it answers within wait ("start": it runs), and replaces it
// with an empty node when it refused to start ("member-add").
func replaceIfDown(c Cluster, mc Members, name string, kind fault.Kind, id, what, detail string, wait time.Duration) *Fault {
	if wait <= 0 {
		wait = DefaultStartWait
	}
	var f *Fault
	f = NewFault(name, kind, id+" "+what, []string{id}, fault.Start, func(ctx context.Context) error {
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

// DirOld is an operator putting back an old copy of one of a node's two
// directories (a backup restored into the wrong place, a snapshot of one
// volume only): the node is stopped cleanly and the directory copied aside,
// the node runs again until it has applied at least Behind more entries
// (at most AdvanceWait), then it is stopped again and the old copy is put
// back in place of the directory, the other directory keeping its newer
// state; Heal starts it. An old raft directory under a newer state machine
// is a state machine ahead of its log, with an old term and vote; an old
// state machine under a newer raft directory is a state machine behind.
// History: "dir-old n2 raft" … "start n2 raft", or … "member-add n2 raft".
type DirOld struct {
	Target Target
	Dir    string // DirRaft or DirData
	// Behind is how many entries the node must apply between the copy and
	// its second stop (default 50); AdvanceWait bounds the wait after its
	// restart (default 12 s).
	Behind      uint64
	AdvanceWait time.Duration
	// StartWait: see DefaultStartWait.
	StartWait time.Duration
}

// Name is "raft-dir-old-<target>" or "data-dir-old-<target>".
func (d DirOld) Name() string { return dirWord(d.Dir) + "-dir-old-" + d.Target.String() }

// Inject takes the copy, lets the node move on, and puts the copy back.
func (d DirOld) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	if err := checkDir(d.Dir); err != nil {
		return nil, err
	}
	kc, dc, mc, err := surgeryHandles(c, d.Name())
	if err != nil {
		return nil, err
	}
	id, err := pickTarget(ctx, c, d.Target, rng)
	if err != nil {
		return nil, err
	}
	behind, wait := d.Behind, d.AdvanceWait
	if behind == 0 {
		behind = 50
	}
	if wait <= 0 {
		wait = 12 * time.Second
	}
	copyName := fmt.Sprintf("old-%s-%d", d.Dir, rng.Uint32())
	at := appliedOf(ctx, c, id)
	if err := kc.StopNode(ctx, id, operatorGrace); err != nil {
		return nil, err
	}
	if _, err := dc.SaveNodeDir(ctx, id, d.Dir, copyName); err != nil {
		return nil, err
	}
	if err := kc.StartNode(ctx, id); err != nil {
		return nil, err
	}
	if !answers(ctx, c, id, DefaultStartWait) {
		return nil, fmt.Errorf("chaos: %s did not answer after its copy was taken", id)
	}
	now := waitApplied(ctx, c, id, at+behind, wait)
	if now < at+behind {
		return nil, fmt.Errorf("chaos: %s is at applied index %d, its copy at %d; wanted %d more within %s (is the workload running?)", id, now, at, behind, wait)
	}
	if err := kc.StopNode(ctx, id, operatorGrace); err != nil {
		return nil, err
	}
	what, err := dc.RestoreNodeDir(ctx, id, d.Dir, copyName)
	if err != nil {
		return nil, err
	}
	what += fmt.Sprintf("; copy taken at applied index %d, node stopped again at %d", at, now)
	return restartFault(c, kc, mc, d.Name(), fault.DirOld, id+" "+d.Dir, what, d.StartWait), nil
}

func checkDir(dir string) error {
	if dir != DirRaft && dir != DirData {
		return fmt.Errorf("chaos: unknown directory %q (want %s or %s)", dir, DirRaft, DirData)
	}
	return nil
}

// appliedOf is the node's applied index, 0 when it does not answer.
func appliedOf(ctx context.Context, c Cluster, id string) uint64 {
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	st, err := c.NodeStatus(sctx, id)
	if err != nil {
		return 0
	}
	return st.AppliedIndex
}

// waitApplied polls the node until its applied index reaches want or wait
// passes, and returns the last index seen.
func waitApplied(ctx context.Context, c Cluster, id string, want uint64, wait time.Duration) uint64 {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	var last uint64
	for {
		if a := appliedOf(wctx, c, id); a > last {
			last = a
		}
		if last >= want || !waitUntil(wctx, time.Now().Add(50*time.Millisecond)) {
			return last
		}
	}
}
