// Package histgen generates histories of a correct key-value store, for the
// benchmarks and scale tests of the checkers (linearizability, readcheck):
// one generator, so that both check the same kind of history.
//
// Clients run operations back to back on random keys; every operation takes
// effect at a random point between its invocation and completion, in one
// total order, and reads return the state of that order. With evidence,
// writes carry the log index they were applied at and reads the index they
// were served at; reads at a level other than linearizable are served by
// their node, whose applied index lags the log by up to MaxLag entries and
// never goes back. A write may end unknown (applied or not, at random); its
// client continues under a fresh process number.
//
// The package imports nothing of this module (the linearizability package's
// own tests use it): [Event] has the fields of linearizability.Event, in its
// order, so that one converts to the other.
package histgen

import (
	"cmp"
	"fmt"
	"math/rand"
	"slices"
)

// Event has exactly the fields of linearizability.Event: convert with
// linearizability.Event(e).
type Event struct {
	Process     int
	Type        string
	F           string
	Key         string
	Value       *string
	Expect      *string
	Time        int64
	Error       string
	Node        string
	Level       string
	Index       int64
	Incarnation string
}

// Options describe the history. Mix weighs get, set, delete and cas.
type Options struct {
	Seed               int64
	Clients, Ops, Keys int
	Mix                [4]int
	UnknownWrites      float64 // probability that a write ends unknown ("info")
	Evidence           bool    // indexes on ok completions
	Nodes              []string
	Levels             []string // client c reads at Levels[c % len]; none: no level recorded
	MaxLag             int      // how far a non-linearizable read may lag (entries)
}

var fs = [4]string{"get", "set", "delete", "cas"}

type plan struct {
	process        int
	c              int
	key            int
	f              string
	call, lin, ret int64
	unknown        bool
	applied        bool
	mismatch       bool
	value, expect  *string
	read           *string
	index          int64
	level, node    string
}

type version struct {
	index int64
	value *string
}

// History generates the history, in time order.
func History(o Options) []Event {
	rng := rand.New(rand.NewSource(o.Seed))
	total := 0
	for _, w := range o.Mix {
		total += w
	}
	plans := make([]plan, 0, o.Ops)
	cursor := make([]int64, o.Clients)
	proc := make([]int, o.Clients)
	for c := range proc {
		proc[c] = c
	}
	next := o.Clients
	for i := 0; i < o.Ops; i++ {
		c := i % o.Clients
		p := plan{process: proc[c], c: c, key: rng.Intn(o.Keys), applied: true}
		r := rng.Intn(total)
		for k, w := range o.Mix {
			if r < w {
				p.f = fs[k]
				break
			}
			r -= w
		}
		p.call = cursor[c] + 1 + int64(rng.Intn(1000))
		p.lin = p.call + int64(rng.Intn(20000))
		p.ret = p.lin + int64(rng.Intn(20000))
		cursor[c] = p.ret
		if len(o.Nodes) > 0 {
			p.node = o.Nodes[c%len(o.Nodes)]
		}
		if p.f == "get" && len(o.Levels) > 0 {
			p.level = o.Levels[c%len(o.Levels)]
		}
		if p.f != "get" && rng.Float64() < o.UnknownWrites {
			p.unknown, p.applied = true, rng.Intn(2) == 0
			proc[c] = next
			next++
		}
		plans = append(plans, p)
	}
	apply(rng, o, plans)
	return events(o, plans)
}

// apply runs the operations in their linearization order against the store.
func apply(rng *rand.Rand, o Options, plans []plan) {
	order := make([]int32, len(plans))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(plans[a].lin, plans[b].lin) })
	versions := make([][]version, o.Keys) // per key, by index
	applied := map[string]int64{}         // node → its applied index
	index := int64(1)                     // the cluster's first entry (its configuration): every read is at ≥ 1
	seq := 0
	current := func(k int) *string {
		if vs := versions[k]; len(vs) > 0 {
			return vs[len(vs)-1].value
		}
		return nil
	}
	for _, i := range order {
		p := &plans[i]
		if p.f == "set" || p.f == "cas" {
			seq++
			p.value = str(fmt.Sprintf("v%d", seq))
		}
		if p.f == "cas" {
			if cur := current(p.key); cur != nil && rng.Intn(2) == 0 {
				p.expect = cur
			} else {
				p.expect = str(fmt.Sprintf("v%d", rng.Intn(seq)))
			}
		}
		if !p.applied {
			continue
		}
		switch p.f {
		case "get":
			at := index
			if p.level != "" && p.level != "linearizable" {
				at = max(applied[p.node], index-int64(rng.Intn(o.MaxLag+1)))
				applied[p.node] = at
			}
			vs := versions[p.key]
			n, _ := slices.BinarySearchFunc(vs, at+1, func(v version, x int64) int { return cmp.Compare(v.index, x) })
			if n > 0 {
				p.read = vs[n-1].value
			}
			p.index = at
		case "cas":
			if cur := current(p.key); cur == nil || *cur != *p.expect {
				p.mismatch = true
				continue
			}
			fallthrough
		default: // set, delete, cas that matched
			index++
			var v *string
			if p.f != "delete" {
				v = p.value
			}
			versions[p.key] = append(versions[p.key], version{index, v})
			p.index = index
		}
	}
}

// events turns the plans into invocations and completions in time order.
func events(o Options, plans []plan) []Event {
	type at struct {
		time int64
		i    int32 // 2×plan, +1 for the completion
	}
	times := make([]at, 0, 2*len(plans))
	for i := range plans {
		times = append(times, at{plans[i].call, int32(2 * i)}, at{plans[i].ret, int32(2*i + 1)})
	}
	slices.SortStableFunc(times, func(a, b at) int { return cmp.Compare(a.time, b.time) })
	out := make([]Event, 0, len(times))
	for _, t := range times {
		p := &plans[t.i/2]
		key := fmt.Sprintf("k%d", p.key)
		e := Event{Process: p.process, Type: "invoke", F: p.f, Key: key, Value: p.value, Expect: p.expect, Time: p.call, Node: p.node, Level: p.level}
		if t.i%2 == 1 {
			e.Type, e.Time, e.Expect = "ok", p.ret, nil
			switch {
			case p.unknown:
				e.Type, e.Error = "info", "timeout"
			case p.f == "get":
				e.Value = p.read
			case p.mismatch:
				e.Type = "fail"
			}
			if o.Evidence && e.Type == "ok" {
				e.Index = p.index
			}
		}
		out = append(out, e)
	}
	return out
}

func str(s string) *string { return &s }
