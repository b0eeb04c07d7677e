package chaos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/raftlab/raftlab/api"
)

// fakeCluster is an in-memory Cluster: it records every call and keeps the
// fault state each call leaves, so a test can check what a nemesis did and
// that its Heal undid exactly that.
type fakeCluster struct {
	mu     sync.Mutex
	ids    []string
	leader string // "" = none
	// steppedDown: NodeStatus reports these nodes as followers even if
	// they are the leader (a thawed leader that noticed).
	steppedDown map[string]bool
	// fail makes the calls whose verb ("kill", "cut", ...) is a key fail.
	fail map[string]error

	calls []string
	proc  map[string]string // "killed", "stopped", "paused"; absent = running
	cut   map[string][]string
	drop  map[string]int
	limit map[string]uint64
	delay map[string]string

	mem fakeMembers // membership and disk state (fake_members_test.go)

	// Failpoints (fake_failpoints_test.go): armed points by node, and the
	// points execution reaches (a panic term there crashes the node).
	fp        map[string]map[string]string
	fpReached map[string]bool
	// fpLostAnswer: a node crashing at arm time dies before answering.
	fpLostAnswer bool

	transfers int // leadership transfers made (fake_transfer_test.go)
	// copies are the saved directory copies, "n2/raft/NAME"
	// (fake_operator_test.go); applied grows by 10 at every NodeStatus:
	// a workload that never stops.
	copies  map[string]bool
	applied uint64
}

var _ Cluster = (*fakeCluster)(nil)

func newFake(n int, leader string) *fakeCluster {
	f := &fakeCluster{leader: leader, steppedDown: map[string]bool{}, fail: map[string]error{}}
	for i := range n {
		f.ids = append(f.ids, fmt.Sprintf("n%d", i+1))
	}
	f.mem.base, f.mem.next = n, n
	f.reset()
	return f
}

func (f *fakeCluster) reset() {
	f.proc, f.cut, f.drop, f.limit, f.delay = map[string]string{}, map[string][]string{}, map[string]int{}, map[string]uint64{}, map[string]string{}
	f.mem.reset()
	f.fp = nil
}

// call records a call and returns the error planted for its verb, or an
// error for an unknown node.
func (f *fakeCluster) call(verb, id string, args ...string) error {
	f.calls = append(f.calls, strings.TrimSpace(strings.Join(append([]string{verb, id}, args...), " ")))
	if err := f.fail[verb]; err != nil {
		return err
	}
	if id != "" && !slices.Contains(f.ids, id) {
		return fmt.Errorf("fake: no node %q", id)
	}
	return nil
}

// Calls returns the calls so far, sorted: nemeses act on several nodes at
// once, so only the set is deterministic.
func (f *fakeCluster) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.calls)
	sort.Strings(out)
	return out
}

// Faults describes the faults in place, sorted: "n2 killed",
// "n1 cuts n2 n3" (n1 drops what n2 and n3 send it), "n2 drop 30%",
// "n2 limit 51200". Empty when the cluster is whole.
func (f *fakeCluster) Faults() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id, st := range f.proc {
		out = append(out, id+" "+st)
	}
	for id, from := range f.cut {
		out = append(out, id+" cuts "+strings.Join(sortedCopy(from), " "))
	}
	for id, p := range f.drop {
		out = append(out, fmt.Sprintf("%s drop %d%%", id, p))
	}
	for id, r := range f.limit {
		out = append(out, fmt.Sprintf("%s limit %d", id, r))
	}
	for id, d := range f.delay {
		out = append(out, id+" delay "+d)
	}
	out = append(out, f.memFaults()...)
	out = append(out, f.fpFaults()...)
	sort.Strings(out)
	return out
}

func (f *fakeCluster) NodeIDs() []string { return slices.Clone(f.ids) }

var errFakeNoLeader = errors.New("fake: no leader")

func (f *fakeCluster) LeaderID(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("leader", ""); err != nil {
		return "", err
	}
	if f.leader == "" {
		return "", errFakeNoLeader
	}
	return f.leader, nil
}

func (f *fakeCluster) NodeStatus(ctx context.Context, id string) (*api.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("status", id); err != nil {
		return nil, err
	}
	if f.proc[id] == "crashed" {
		return nil, fmt.Errorf("fake: %s: connection refused", id)
	}
	if f.proc[id] == "exited" {
		return nil, fmt.Errorf("fake: %s refused to start", id)
	}
	f.applied += 10
	st := &api.Status{ID: id, State: api.StateFollower, LeaderID: f.leader, AppliedIndex: f.applied}
	if id == f.leader && !f.steppedDown[id] {
		st.State = api.StateLeader
	}
	return st, nil
}

// setProc applies a process fault: from is the state it must start in
// ("" = running), to the state it leaves.
func (f *fakeCluster) setProc(verb, id string, from []string, to string, args ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(verb, id, args...); err != nil {
		return err
	}
	if !slices.Contains(from, f.proc[id]) {
		return fmt.Errorf("fake: %s %s while %q", verb, id, f.proc[id])
	}
	if to == "" {
		delete(f.proc, id)
	} else {
		f.proc[id] = to
	}
	return nil
}

func (f *fakeCluster) KillNode(ctx context.Context, id string) error {
	return f.setProc("kill", id, []string{"", "paused"}, "killed")
}

func (f *fakeCluster) StopNode(ctx context.Context, id string, grace time.Duration) error {
	return f.setProc("stop", id, []string{"", "paused"}, "stopped", grace.String())
}

func (f *fakeCluster) StartNode(ctx context.Context, id string) error {
	if err := f.setProc("start", id, []string{"killed", "stopped", "crashed"}, ""); err != nil {
		return err
	}
	f.mem.started(f, id)
	return nil
}

func (f *fakeCluster) PauseNode(ctx context.Context, id string) error {
	return f.setProc("pause", id, []string{""}, "paused")
}

// ResumeNode thaws a node; a thawed leader that hears no majority steps
// down at once (what raft's lease check does, a few ms later).
func (f *fakeCluster) ResumeNode(ctx context.Context, id string) error {
	if err := f.setProc("resume", id, []string{"paused"}, ""); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.cut[id]) >= len(f.ids)/2+len(f.ids)%2 {
		f.steppedDown[id] = true
	}
	return nil
}

func (f *fakeCluster) CutFrom(ctx context.Context, id string, from []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cut", id, "<-", strings.Join(from, " ")); err != nil {
		return err
	}
	for _, p := range from {
		if !slices.Contains(f.ids, p) || p == id {
			return fmt.Errorf("fake: %s cannot cut %q", id, p)
		}
		if !slices.Contains(f.cut[id], p) {
			f.cut[id] = append(f.cut[id], p)
		}
	}
	return nil
}

func (f *fakeCluster) DropNode(ctx context.Context, id string, percent int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("drop", id, fmt.Sprint(percent)); err != nil {
		return err
	}
	f.drop[id] = percent
	return nil
}

func (f *fakeCluster) LimitNode(ctx context.Context, id string, bytesPerSec uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("limit", id, fmt.Sprint(bytesPerSec)); err != nil {
		return err
	}
	f.limit[id] = bytesPerSec
	return nil
}

func (f *fakeCluster) DelayNode(ctx context.Context, id string, delay, jitter time.Duration, reorder float64) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	spec := fmt.Sprintf("%v±%v reorder %g%%", delay, jitter, reorder)
	if err := f.call("delay", id, spec); err != nil {
		return "", err
	}
	f.delay[id] = spec
	return spec, nil
}

func (f *fakeCluster) HealNode(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("heal", id); err != nil {
		return err
	}
	delete(f.cut, id)
	delete(f.drop, id)
	delete(f.limit, id)
	delete(f.delay, id)
	return nil
}

func (f *fakeCluster) HealAll(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("heal-all", ""); err != nil {
		return err
	}
	f.reset()
	return nil
}

// quiet is the logger of schedules run by tests.
var quiet = slog.New(slog.DiscardHandler)
