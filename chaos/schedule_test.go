package chaos

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeNemesis struct {
	name string
	fail bool
	mu   sync.Mutex
	log  *[]string
}

func (f *fakeNemesis) Name() string { return f.name }

func (f *fakeNemesis) Inject(_ context.Context, _ Cluster, rng *rand.Rand) (*Fault, error) {
	if f.fail {
		return nil, errors.New("boom")
	}
	id, _ := PickNode([]string{"n1", "n2", "n3"}, "", AnyNode, rng)
	f.mu.Lock()
	*f.log = append(*f.log, "inject "+f.name+" "+id)
	f.mu.Unlock()
	return NewFault(f.name, "kill", id, []string{id}, "start", func(context.Context) error {
		f.mu.Lock()
		*f.log = append(*f.log, "heal "+id)
		f.mu.Unlock()
		return nil
	}), nil
}

type fakeRecorder struct {
	mu     sync.Mutex
	start  time.Time
	events []string
}

func (r *fakeRecorder) Nemesis(f, v string) {
	r.mu.Lock()
	r.events = append(r.events, f+" "+v)
	r.mu.Unlock()
}
func (r *fakeRecorder) Now() int64 { return int64(time.Since(r.start)) }

func TestPlan(t *testing.T) {
	s := Schedule{Nemeses: []Nemesis{Kill{}, Pause{}, Partition{Shape: Halves}}, Duration: 20 * time.Second, Quiet: 3 * time.Second, Fault: 4 * time.Second}
	p := s.Plan(42)
	// Quiet 3, fault 4 (3..7), quiet (7..10), fault (10..14), quiet, fault (17..20).
	wantAt := []time.Duration{3 * time.Second, 10 * time.Second, 17 * time.Second}
	if len(p) != len(wantAt) {
		t.Fatalf("plan %+v, want %d steps", p, len(wantAt))
	}
	for i, st := range p {
		if st.At != wantAt[i] || st.Length != 3*time.Second && i == 2 || st.Length != 4*time.Second && i < 2 {
			t.Errorf("step %d: %+v", i, st)
		}
	}
	if !reflect.DeepEqual(p, s.Plan(42)) {
		t.Error("same seed, different plans")
	}
	differs := false
	for seed := range uint64(20) {
		if !reflect.DeepEqual(p, s.Plan(seed+100)) {
			differs = true
		}
	}
	if !differs {
		t.Error("the plan does not depend on the seed")
	}
	if got := (Schedule{Duration: time.Second, Fault: time.Second}).Plan(1); got != nil {
		t.Errorf("no nemeses: plan %v", got)
	}
}

func TestRunRecordsAndHeals(t *testing.T) {
	var log []string
	a := &fakeNemesis{name: "a", log: &log}
	b := &fakeNemesis{name: "b", fail: true, log: &log}
	s := Schedule{Nemeses: []Nemesis{a, b}, Duration: 600 * time.Millisecond, Quiet: 50 * time.Millisecond, Fault: 100 * time.Millisecond}
	rec := &fakeRecorder{start: time.Now()}
	var active []string
	begin := time.Now()
	c := newFake(3, "n1")
	ws, err := s.Run(context.Background(), c, rec, RunOptions{Logger: quiet, Seed: 3, ProbeWait: 20 * time.Millisecond,
		OnChange: func(a string) { active = append(active, a) }})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(begin); el < s.Duration {
		t.Errorf("Run returned after %v, before its duration %v", el, s.Duration)
	}
	plan := s.Plan(3)
	if len(ws) != len(plan) {
		t.Fatalf("%d windows for %d steps", len(ws), len(plan))
	}
	var wantEvents []string
	failed := 0
	for i, w := range ws {
		if w.Nemesis != s.Nemeses[plan[i].Nemesis].Name() {
			t.Errorf("window %d: nemesis %s, plan says %d", i, w.Nemesis, plan[i].Nemesis)
		}
		if w.End < w.Start {
			t.Errorf("window %d ends before it starts: %+v", i, w)
		}
		if w.Fault == nil {
			if w.Error == "" {
				t.Errorf("window %d: no fault and no error", i)
			}
			failed++
			continue
		}
		if !(w.Start <= w.Injected && w.Injected <= w.Healing && w.Healing <= w.End) {
			t.Errorf("window %d: times out of order: %+v", i, w)
		}
		wantEvents = append(wantEvents, "kill "+w.Fault.Value, "start "+w.Fault.Value)
		// The fake nemesis says "kill" but kills nothing: the probe sees
		// the node still answering, and the window says so.
		if w.Effect == nil || w.Effect.Took || !w.Effect.Probed {
			t.Errorf("window %d: effect %+v, want probed and not taken", i, w.Effect)
		}
	}
	if !reflect.DeepEqual(rec.events, wantEvents) {
		t.Errorf("recorded %v, want %v", rec.events, wantEvents)
	}
	// Every failed injection is cleaned up with HealAll, and nothing else
	// touches the cluster (the fake nemeses do not).
	if failed == 0 {
		t.Fatal("seed 3 plans no failing injection; pick another seed")
	}
	var got []string
	for _, call := range c.Calls() {
		if !strings.HasPrefix(call, "status ") { // the effect probes
			got = append(got, call)
		}
	}
	if len(got) != failed || got[0] != "heal-all" {
		t.Errorf("cluster calls %v, want heal-all × %d", got, failed)
	}
	for i := 0; i+1 < len(active); i += 2 {
		if active[i] == "" || active[i+1] != "" {
			t.Errorf("OnChange calls %q do not alternate fault / none", active)
		}
	}
}

func TestRunHealsWhenCancelled(t *testing.T) {
	var log []string
	a := &fakeNemesis{name: "a", log: &log}
	s := Schedule{Nemeses: []Nemesis{a}, Duration: time.Hour, Quiet: 10 * time.Millisecond, Fault: time.Hour}
	rec := &fakeRecorder{start: time.Now()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var ws []Window
	var err error
	go func() {
		ws, err = s.Run(ctx, newFake(3, "n1"), rec, RunOptions{Logger: quiet, Seed: 1, OnChange: func(active string) {
			if active != "" {
				cancel() // cancel while the fault is in place
			}
		}})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if len(ws) != 1 || len(log) != 2 || log[1][:4] != "heal" {
		t.Errorf("windows %+v, log %v: the fault was not healed", ws, log)
	}
}
