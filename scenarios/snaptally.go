package scenarios

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/fault"
	"github.com/raftlab/raftlab/report"
)

// samplePeriod is how often the runner samples every node's /status during
// the workload (besides a sample after each fault event and one at the
// end). The counters a node gains after its last sample before it is killed
// are lost, so shorter is tighter; each sample is one small request per
// node.
const samplePeriod = 500 * time.Millisecond

// snapCounts are the snapshot counters of api.Status.
type snapCounts struct {
	taken, installed, restores, rebuilds uint64
}

func countsOf(st api.Status) snapCounts {
	return snapCounts{st.SnapshotsTaken, st.SnapshotsInstalled, st.SnapshotRestoresAtStart, st.StateMachineRebuilds}
}

// less reports whether some counter of c is below o's: counters only grow
// within a process, so c comes from a process that started after o.
func (c snapCounts) less(o snapCounts) bool {
	return c.taken < o.taken || c.installed < o.installed || c.restores < o.restores || c.rebuilds < o.rebuilds
}

func (c snapCounts) plus(o snapCounts) snapCounts {
	return snapCounts{c.taken + o.taken, c.installed + o.installed, c.restores + o.restores, c.rebuilds + o.rebuilds}
}

func (c snapCounts) minus(o snapCounts) snapCounts {
	return snapCounts{c.taken - o.taken, c.installed - o.installed, c.restores - o.restores, c.rebuilds - o.rebuilds}
}

// nodeTally is what the samples of one node add up to.
type nodeTally struct {
	last     snapCounts // the last sample's counters
	lastEra  uint64     // the node's era when the last sample was asked for
	total    snapCounts // the increases observed over the run
	samples  int
	restarts int // new processes recognised
	snapIdx  uint64
	snapTrm  uint64
}

// snapTally sums each node's snapshot counters over the run from samples of
// its /status. The node's counters count since its process started, so a
// restart resets them; the tally adds, sample to sample, the increase of
// each counter, and for a new process its counters whole. A sample comes
// from a new process when
//
//   - the node was taken down (kill, stop, crash, disk fault, wipe: its
//     nemesis event is recorded once it is down, see downKinds) after the
//     previous sample was asked for and before this one was: each such
//     event starts a new era of the node, and a sample remembers the era it
//     was asked in, so an answer of the old process that arrives late is
//     not mistaken for the new one;
//   - or some counter went down (a restart the lab did not announce, e.g. a
//     rolling restart).
//
// It is a lower bound: what a process counted after its last sample before
// it died is lost, and an unannounced restart whose counts already exceed
// the old ones at its first sample reads as the same process. It never
// counts more than happened.
type snapTally struct {
	mu    sync.Mutex
	nodes map[string]*nodeTally
	eras  map[string]uint64
}

func newSnapTally() *snapTally {
	return &snapTally{nodes: map[string]*nodeTally{}, eras: map[string]uint64{}}
}

// downKinds are the fault kinds whose history event is recorded after the
// targets' processes are down and before they are started again; the
// event's value begins with or lists the target ids. Faults that restart
// processes within their injection (restart-rolling, disk-lies) are not
// here: a sample of the new process may precede their event.
var downKinds = map[fault.Kind]bool{fault.Kill: true, fault.Stop: true, fault.Crash: true, fault.Truncate: true, fault.Bitflip: true, fault.Wipe: true}

// nemesis notes a nemesis event: for a fault that took nodes down, every
// word of value that names a node starts a new era of that node.
func (t *snapTally) nemesis(f, value string) {
	if !downKinds[fault.Kind(f)] {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, w := range strings.Fields(value) {
		t.eras[w]++ // words that are not node ids are never looked up
	}
}

// era is node id's current era, to pass to observe with a sample asked for
// now.
func (t *snapTally) era(id string) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.eras[id]
}

// observe adds one sample of node id, asked for in era (see era).
func (t *snapTally) observe(id string, era uint64, st api.Status) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := countsOf(st)
	nt := t.nodes[id]
	switch {
	case nt == nil:
		// The first sample: every node starts in the run (the cluster is
		// new), so all it counted happened during the run.
		nt = &nodeTally{total: cur}
		t.nodes[id] = nt
	case era > nt.lastEra || cur.less(nt.last):
		nt.total = nt.total.plus(cur)
		nt.restarts++
	default:
		nt.total = nt.total.plus(cur.minus(nt.last))
	}
	nt.last, nt.lastEra = cur, max(nt.lastEra, era)
	nt.samples++
	nt.snapIdx, nt.snapTrm = st.LastSnapshotIndex, st.LastSnapshotTerm
}

// fill sets nf's snapshot fields from the tally of nf.ID.
func (t *snapTally) fill(nf *report.NodeFigures) {
	t.mu.Lock()
	defer t.mu.Unlock()
	nt := t.nodes[nf.ID]
	if nt == nil {
		return
	}
	nf.SnapshotsTaken, nf.SnapshotsInstalled = nt.total.taken, nt.total.installed
	nf.SnapshotRestoresAtStart, nf.StateMachineRebuilds = nt.total.restores, nt.total.rebuilds
	nf.LastSnapshotIndex, nf.LastSnapshotTerm = nt.snapIdx, nt.snapTrm
	nf.Samples, nf.Restarts = nt.samples, nt.restarts
}

// ids returns the nodes sampled at least once, sorted.
func (t *snapTally) ids() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var ids []string
	for id := range t.nodes {
		ids = append(ids, id)
	}
	// n2 before n10: node ids are "n" and a number.
	sort.Slice(ids, func(i, j int) bool {
		a, b := ids[i], ids[j]
		return len(a) < len(b) || len(a) == len(b) && a < b
	})
	return ids
}

// sample asks every node of c for its status at once (a second each at
// most) and observes the answers; nodes that do not answer are skipped.
func (t *snapTally) sample(ctx context.Context, c chaos.Cluster) {
	var wg sync.WaitGroup
	for _, id := range c.NodeIDs() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			era := t.era(id)
			if st, err := c.NodeStatus(sctx, id); err == nil {
				t.observe(id, era, *st)
			}
		}()
	}
	wg.Wait()
}

// poll samples every samplePeriod and whenever kick fires, until ctx ends.
func (t *snapTally) poll(ctx context.Context, c chaos.Cluster, kick <-chan struct{}) {
	tick := time.NewTicker(samplePeriod)
	defer tick.Stop()
	for {
		t.sample(ctx, c)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-kick:
		}
	}
}

// kickRecorder is the schedule's recorder: it records the nemesis events,
// tells the tally, and asks for a sample after each one (a fault in place,
// a fault healed), so counters are read close to the moments processes stop
// and start.
type kickRecorder struct {
	chaos.Recorder
	tally *snapTally
	kick  chan<- struct{}
}

func (k kickRecorder) Nemesis(f, value string) {
	k.Recorder.Nemesis(f, value)
	k.tally.nemesis(f, value)
	select {
	case k.kick <- struct{}{}:
	default: // a sample is already due
	}
}
