package chaos

import (
	"context"
	"fmt"
	"strings"
)

// ArmFailpoint records the call and keeps the armed points. A point listed
// in f.fpReached is reached at once: arming it with a term containing
// "panic" crashes the node (proc "crashed": it answers nothing until
// started). A crashed, killed or stopped node refuses the call.
func (f *fakeCluster) ArmFailpoint(ctx context.Context, id, name, term string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("failpoint", id, name+"="+term); err != nil {
		return err
	}
	if st := f.proc[id]; st != "" && st != "paused" {
		return fmt.Errorf("fake: %s is %s: connection refused", id, st)
	}
	if f.fp == nil {
		f.fp = map[string]map[string]string{}
	}
	if term == "off" {
		delete(f.fp[id], name)
		if len(f.fp[id]) == 0 {
			delete(f.fp, id)
		}
		return nil
	}
	if f.fpReached[name] && strings.Contains(term, "panic") {
		f.proc[id] = "crashed"
		if f.fpLostAnswer {
			return fmt.Errorf("fake: %s: EOF", id)
		}
		return nil
	}
	if f.fp[id] == nil {
		f.fp[id] = map[string]string{}
	}
	f.fp[id][name] = term
	return nil
}

// fpFaults lists the armed points: "n2 fp fsm-before-commit=1*panic".
func (f *fakeCluster) fpFaults() []string {
	var out []string
	for id, pts := range f.fp {
		for name, term := range pts {
			out = append(out, id+" fp "+name+"="+term)
		}
	}
	return out
}
