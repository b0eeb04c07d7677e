package linearizability

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// A Recorder records a live run: the operations of many concurrent clients
// and the nemesis events, on one monotonic clock. It is safe for concurrent
// use. Times are nanoseconds since NewRecorder, read under the recorder's lock,
// so the recorded order is the time order and times never go backwards.
type Recorder struct {
	mu          sync.Mutex
	start       time.Time
	events      []Event
	nextProcess int
}

// NewRecorder starts a recording; its clock starts now.
func NewRecorder() *Recorder {
	return &Recorder{start: time.Now()}
}

// Now returns the recorder's clock: nanoseconds since it started.
func (r *Recorder) Now() int64 { return int64(time.Since(r.start)) }

func (r *Recorder) append(e Event) {
	r.mu.Lock()
	e.Time = r.Now()
	if n := len(r.events); n > 0 && e.Time < r.events[n-1].Time {
		e.Time = r.events[n-1].Time // cannot happen with a monotonic clock; keep the file valid anyway
	}
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// NewClient returns a logical client with a fresh process number. node, if
// not empty, is written on its events (the node the client talks to).
func (r *Recorder) NewClient(node string) *Client {
	return &Client{r: r, node: node, process: r.freshProcess()}
}

func (r *Recorder) freshProcess() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.nextProcess
	r.nextProcess++
	return p
}

// Nemesis records a fault event (process -1) of kind f, for example
// Nemesis("partition", "n1 | n2 n3") or Nemesis("heal", "").
func (r *Recorder) Nemesis(f, value string) {
	e := Event{Process: NemesisProcess, Type: TypeInfo, F: f}
	if value != "" {
		e.Value = Str(value)
	}
	r.append(e)
}

// Events returns a copy of the events recorded so far, in time order.
// Operations still outstanding count as unknown for the checker.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// WriteJSONL writes the events recorded so far as a history file.
func (r *Recorder) WriteJSONL(w io.Writer) error { return WriteJSONL(w, r.Events()) }

// A Client is one logical client of a Recorder: a sequence of operations, one
// at a time. It must be used by one goroutine at a time. After an operation
// ends in Info, the client continues under a fresh process number, as the
// history format requires.
type Client struct {
	r       *Recorder
	node    string
	process int
	pending *Call
}

// Process returns the client's current process number.
func (c *Client) Process() int { return c.process }

// A Call is an invoked operation waiting for its outcome. Exactly one of Ok,
// Fail or Info must be called on it.
type Call struct {
	c     *Client
	f     string
	key   string
	val   *string
	level string
	done  bool
}

// Evidence is what a store says about where an answer stands in its order
// (see Event.Index and Event.Incarnation). The zero value is "no evidence".
type Evidence struct {
	Index       int64
	Incarnation string
}

// Get invokes a read of key.
func (c *Client) Get(key string) *Call { return c.invoke(FGet, key, nil, nil) }

// GetAt invokes a read of key at a read level (recorded in the "level"
// field; LevelLinearizable and "" are recorded as no field).
func (c *Client) GetAt(key, level string) *Call {
	if level == LevelLinearizable {
		level = ""
	}
	return c.invokeLevel(FGet, key, nil, nil, level)
}

// Set invokes a write of value to key.
func (c *Client) Set(key, value string) *Call { return c.invoke(FSet, key, &value, nil) }

// Delete invokes a delete of key.
func (c *Client) Delete(key string) *Call { return c.invoke(FDelete, key, nil, nil) }

// CAS invokes a compare-and-set of key from expect to value.
func (c *Client) CAS(key, expect, value string) *Call {
	return c.invoke(FCAS, key, &value, &expect)
}

func (c *Client) invoke(f, key string, value, expect *string) *Call {
	return c.invokeLevel(f, key, value, expect, "")
}

func (c *Client) invokeLevel(f, key string, value, expect *string, level string) *Call {
	if c.pending != nil {
		panic(fmt.Sprintf("linearizability: client %d invoked %s while its %s is outstanding", c.process, f, c.pending.f))
	}
	call := &Call{c: c, f: f, key: key, val: value, level: level}
	c.pending = call
	c.r.append(Event{Process: c.process, Type: TypeInvoke, F: f, Key: key, Value: value, Expect: expect, Node: c.node, Level: level})
	return call
}

func (call *Call) complete(typ string, value *string, reason string) {
	call.completeWith(typ, value, reason, Evidence{})
}

func (call *Call) completeWith(typ string, value *string, reason string, ev Evidence) {
	if call.done {
		panic(fmt.Sprintf("linearizability: %s on client %d completed twice", call.f, call.c.process))
	}
	call.done = true
	c := call.c
	c.pending = nil
	c.r.append(Event{Process: c.process, Type: typ, F: call.f, Key: call.key, Value: value, Error: reason, Node: c.node,
		Level: call.level, Index: ev.Index, Incarnation: ev.Incarnation})
	if typ == TypeInfo {
		c.process = c.r.freshProcess()
	}
}

// Ok records that the operation took effect. For a get, value is what it
// read (nil: absent); for other operations value is ignored.
func (call *Call) Ok(value *string) {
	if call.f != FGet {
		value = call.val
	}
	call.complete(TypeOk, value, "")
}

// OkAt is Ok with the store's evidence of where the answer stands.
func (call *Call) OkAt(value *string, ev Evidence) {
	if call.f != FGet {
		value = call.val
	}
	call.completeWith(TypeOk, value, "", ev)
}

// Fail records that the operation definitely took no effect. reason is the
// "error" field: for a cas, an empty reason means it found another value
// (the 409 answer), while a non-empty one means only "not applied".
func (call *Call) Fail(reason string) {
	var value *string
	if call.f != FGet {
		value = call.val
	}
	call.complete(TypeFail, value, reason)
}

// Info records that the outcome is unknown (a timeout, a lost connection).
// The client continues under a fresh process number.
func (call *Call) Info(reason string) {
	var value *string
	if call.f != FGet {
		value = call.val
	}
	call.complete(TypeInfo, value, reason)
}
