package linearizability

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftlab/raftlab/fault"
)

// DrawOptions tune the picture.
type DrawOptions struct {
	// Timeout bounds the search behind the picture (default 10 s). Keys
	// whose search runs out show their longest partial order.
	Timeout time.Duration
	// MaxOperations bounds how many operations are drawn (default 10,000):
	// keys are added in priority order (not linearizable, unknown, then the
	// rest by name) until the next would pass the limit; the first key is
	// always drawn.
	MaxOperations int
	// Keys, if set, are the keys to draw, in this order.
	Keys []string

	// denseRows draws process p on row rows[p] (0, 1, … in order of first
	// invocation) instead of row p: a few operations of processes 16, 33
	// and 36 then take three rows, not 37.
	denseRows bool
}

// denseRows numbers the processes of ops 0, 1, … in order of first
// invocation and puts each operation on its process's row.
func denseRows(ops []porcupine.Operation) {
	order := append([]porcupine.Operation(nil), ops...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].Call < order[j].Call })
	rows := map[int]int{}
	for _, op := range order {
		if _, ok := rows[op.ClientId]; !ok {
			rows[op.ClientId] = len(rows)
		}
	}
	for i := range ops {
		ops[i].ClientId = rows[ops[i].ClientId]
	}
}

// Draw writes porcupine's HTML visualization of a history, whatever its
// verdict, with nemesis events drawn as annotations. It returns a
// [*LineError] if the history is malformed.
func Draw(w io.Writer, events []Event, opts DrawOptions) error {
	h, err := buildHistory(events)
	if err != nil {
		return err
	}
	return draw(w, h, h.keys, Options{}, opts)
}

// WriteHTML writes the visualization of a checked history: keys that are not
// linearizable first, then unknown ones, then the rest.
func (r *Result) WriteHTML(w io.Writer, opts DrawOptions) error {
	rank := map[Verdict]int{NotLinearizable: 0, Unknown: 1, Linearizable: 2}
	keys := append([]string(nil), r.h.keys...)
	sort.SliceStable(keys, func(i, j int) bool {
		return rank[r.Keys[keys[i]].Verdict] < rank[r.Keys[keys[j]].Verdict]
	})
	if opts.Timeout == 0 {
		opts.Timeout = r.opts.PerKeyTimeout
	}
	return draw(w, r.h, keys, r.opts, opts)
}

func draw(w io.Writer, h *history, keys []string, copts Options, opts DrawOptions) error {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultPerKeyTimeout
	}
	if opts.MaxOperations <= 0 {
		opts.MaxOperations = 10000
	}
	if len(opts.Keys) > 0 {
		keys = opts.Keys
	}
	var (
		ops    []porcupine.Operation
		bounds []int
	)
	for _, k := range keys {
		idx, ok := h.byKey[k]
		if !ok {
			return fmt.Errorf("no key %q in the history", k)
		}
		kh := prepareKey(k, idx, h.ops, h.end, !copts.KeepUnobserved)
		if len(ops) > 0 && len(ops)+len(kh.ops) > opts.MaxOperations {
			break
		}
		ops = append(ops, kh.ops...)
		bounds = append(bounds, len(ops))
	}
	if opts.denseRows {
		denseRows(ops)
	}
	kh := &keyHistory{absent: absentV}
	model := kh.model(nil)
	model.Partition = func(hist []porcupine.Operation) [][]porcupine.Operation {
		parts := make([][]porcupine.Operation, 0, len(bounds))
		lo := 0
		for _, hi := range bounds {
			if hi > lo {
				parts = append(parts, hist[lo:hi])
			}
			lo = hi
		}
		return parts
	}
	_, info := porcupine.CheckOperationsVerbose(model, ops, opts.Timeout)
	info.AddAnnotations(nemesisAnnotations(h.nemesis, h.end))
	return porcupine.Visualize(model, info, w)
}

// A fault window, for pictures: a nemesis event that starts a fault, until
// the event that ends it (or the end of the history).
type faultWindow struct {
	kind, value  string
	start, end   int64
	open, closed bool
	details      []string
	events       []int // indices of its events in the nemesis list
}

// An ending event (fault.Kind.Closes: "start" after "kill", "heal" after
// "partition") closes the most recent open window it can end, preferring
// one with the same value (e.g. "kill n1" … "start n1"); "restore" and
// "recover" close the most recent open window. Any other kind opens a
// window.

// nemesisAnnotations pairs nemesis events into fault windows and turns them
// into porcupine annotations, one row per fault kind.
func nemesisAnnotations(events []nemesisEvent, end int64) []porcupine.Annotation {
	return windowAnnotations(faultWindows(events), end)
}

// faultWindows pairs nemesis events into fault windows. An invocation
// directly followed by a completion of the same f is one event, at the
// invocation's time.
func faultWindows(events []nemesisEvent) []*faultWindow {
	var windows []*faultWindow
	var open []*faultWindow
	for i := 0; i < len(events); i++ {
		e, first := events[i], i
		detail := fmt.Sprintf("line %d: %s", e.Line, e.Event.String())
		if e.Type == TypeInvoke && i+1 < len(events) && events[i+1].F == e.F && events[i+1].Type != TypeInvoke {
			i++
			detail += fmt.Sprintf("; line %d: %s", events[i].Line, events[i].Event.String())
			if e.Value == nil {
				e.Value = events[i].Value
			}
		}
		value := ""
		if e.Value != nil {
			value = *e.Value
		}
		ends, isEnd := fault.Kind(e.F).Closes()
		members := []int{first}
		if i != first {
			members = append(members, i)
		}
		if !isEnd {
			fw := &faultWindow{kind: e.F, value: value, start: e.Time, open: true, details: []string{detail}, events: members}
			windows = append(windows, fw)
			open = append(open, fw)
			continue
		}
		pick := -1
		for j := len(open) - 1; j >= 0; j-- {
			if len(ends) > 0 && !slices.Contains(ends, fault.Kind(open[j].kind)) {
				continue
			}
			if pick < 0 {
				pick = j
			}
			if open[j].value == value {
				pick = j
				break
			}
		}
		if pick < 0 {
			windows = append(windows, &faultWindow{kind: e.F, value: value, start: e.Time, end: e.Time, details: []string{detail}, events: members})
			continue
		}
		fw := open[pick]
		fw.end, fw.closed, fw.open = e.Time, true, false
		fw.details = append(fw.details, detail)
		fw.events = append(fw.events, members...)
		open = append(open[:pick], open[pick+1:]...)
	}
	return windows
}

// windowAnnotations draws fault windows as porcupine annotations; windows
// never closed last until end+1.
func windowAnnotations(windows []*faultWindow, end int64) []porcupine.Annotation {
	var anns []porcupine.Annotation
	for _, fw := range windows {
		stop := fw.end
		desc := strings.TrimSpace(fw.kind + " " + fw.value)
		if fw.open {
			stop = end + 1
			desc += " (never ended)"
		}
		anns = append(anns, porcupine.Annotation{
			Tag:             "nemesis: " + fw.kind,
			Start:           fw.start,
			End:             stop,
			Description:     desc,
			Details:         strings.Join(fw.details, "\n"),
			BackgroundColor: faultColor(fw.kind),
		})
	}
	return anns
}

// faultColor is the shading of kind's windows: its family's, the same as
// report.html's timeline (package fault).
func faultColor(kind string) string { return fault.Kind(kind).Colour().Fill }
