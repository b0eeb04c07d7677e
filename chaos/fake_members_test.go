package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// fakeMembers is the membership and disk state of the fake cluster.
type fakeMembers struct {
	base      int             // node count at creation: nodes beyond it were grown
	next      int             // number of the last node created
	removed   map[string]bool // RemoveMember'd, not yet added back
	destroyed map[string]bool // DestroyNode'd, not yet replaced
	damaged   map[string]string
	// refuse makes a node with damaged files refuse to start: it exits
	// and never answers (a store that detected the damage).
	refuse bool
}

func (m *fakeMembers) reset() {
	m.removed, m.destroyed, m.damaged = map[string]bool{}, map[string]bool{}, map[string]string{}
}

// memFaults describes the state (f.mu held): "n2 removed", "n2 destroyed",
// "n2 raft-log truncated" (damaged, not yet started), "n4 grown".
func (f *fakeCluster) memFaults() []string {
	m := &f.mem
	var out []string
	for _, id := range f.grown() {
		out = append(out, id+" grown")
	}
	for id := range m.removed {
		out = append(out, id+" removed")
	}
	for id := range m.destroyed {
		out = append(out, id+" destroyed")
	}
	for id, d := range m.damaged {
		out = append(out, id+" "+d)
	}
	return out
}

// started is called by StartNode (without f.mu held) once the node runs.
func (m *fakeMembers) started(f *fakeCluster, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := m.damaged[id]; !ok {
		return
	}
	if m.refuse {
		f.proc[id] = "exited"
		return
	}
	delete(m.damaged, id)
}

// grown returns the nodes numbered beyond the initial count (f.mu held).
func (f *fakeCluster) grown() []string {
	var out []string
	for _, id := range f.ids {
		var k int
		if _, err := fmt.Sscanf(id, "n%d", &k); err == nil && k > f.mem.base {
			out = append(out, id)
		}
	}
	return out
}

func (f *fakeCluster) RemoveMember(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("remove-member", id); err != nil {
		return err
	}
	f.mem.removed[id] = true
	return nil
}

func (f *fakeCluster) AddMember(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("add-member", id); err != nil {
		return err
	}
	if !f.mem.removed[id] {
		return fmt.Errorf("fake: add-member %s: not removed", id)
	}
	delete(f.mem.removed, id)
	return nil
}

func (f *fakeCluster) DestroyNode(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("destroy", id); err != nil {
		return err
	}
	delete(f.proc, id)
	delete(f.mem.damaged, id)
	f.mem.destroyed[id] = true
	return nil
}

func (f *fakeCluster) ReplaceNode(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("replace", id); err != nil {
		return err
	}
	if !f.mem.destroyed[id] {
		return fmt.Errorf("fake: replace %s: not destroyed", id)
	}
	delete(f.mem.destroyed, id)
	return nil
}

func (f *fakeCluster) GrowNode(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("grow", ""); err != nil {
		return "", err
	}
	f.mem.next++
	id := fmt.Sprintf("n%d", f.mem.next)
	f.ids = append(f.ids, id)
	return id, nil
}

func (f *fakeCluster) ShrinkNode(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("shrink", id); err != nil {
		return err
	}
	f.ids = slices.DeleteFunc(f.ids, func(s string) bool { return s == id })
	return nil
}

func (f *fakeCluster) KillNodes(ctx context.Context, ids []string) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(ids) == 0 {
		return 0, f.call("kill-nodes", "")
	}
	if err := f.call("kill-nodes", ids[0], ids[1:]...); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if !slices.Contains(f.ids, id) {
			return 0, fmt.Errorf("fake: no node %q", id)
		}
		if st := f.proc[id]; st != "" && st != "paused" {
			return 0, fmt.Errorf("fake: kill %s while %q", id, st)
		}
		f.proc[id] = "killed"
	}
	return 3 * time.Millisecond, nil
}

func (f *fakeCluster) WaitReady(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("wait-ready", ""); err != nil {
		return err
	}
	for id, st := range f.proc {
		return fmt.Errorf("fake: not ready: %s %s", id, st)
	}
	return nil
}

func (f *fakeCluster) damage(verb, id, file, what string, args ...string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call(verb, id, append([]string{file}, args...)...); err != nil {
		return "", err
	}
	if st := f.proc[id]; st != "killed" && st != "stopped" {
		return "", fmt.Errorf("fake: %s %s while %q", verb, id, st)
	}
	f.mem.damaged[id] = file + " " + what
	return strings.Join(append([]string{file, what}, args...), " "), nil
}

func (f *fakeCluster) TruncateNodeFile(ctx context.Context, id, file string, bytes int64, keep float64) (string, error) {
	return f.damage("truncate", id, file, "truncated", fmt.Sprint(bytes), fmt.Sprint(keep))
}

func (f *fakeCluster) FlipNodeBits(ctx context.Context, id, file string, bits int, from float64, seed uint64) (string, error) {
	return f.damage("flip", id, file, "flipped", fmt.Sprint(bits), fmt.Sprint(from))
}
