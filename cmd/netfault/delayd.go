package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/raftlab/raftlab/fault"
	"github.com/raftlab/raftlab/internal/nfqueue"
)

// stateDir holds one JSON file per running delay daemon (queue-N.json), the
// record heal and show work from.
const stateDir = "/tmp/netfault"

func statePath(queue uint16) string { return fmt.Sprintf("%s/queue-%d.json", stateDir, queue) }

// queueMaxLen bounds the packets held at once. At 100 ms of delay it is
// 100k packets/s, far above what a lab node sends; beyond it fail-open lets
// packets through undelayed rather than dropping them.
const queueMaxLen = 10000

// delayd is the delay daemon: it binds the queue, holds every packet it
// gets for its hold time and accepts it then. On SIGTERM it accepts
// whatever it still holds and exits. It reports readiness (or the bind
// error) on fd 3 when started by delay.
func delayd(args []string) error {
	fs := flag.NewFlagSet("delayd", flag.ExitOnError)
	queue := fs.Uint("queue", 0, "queue number to bind")
	var spec holdSpec
	fs.DurationVar(&spec.Delay, "delay", 0, "hold time")
	fs.DurationVar(&spec.Jitter, "jitter", 0, "hold time varies uniformly by ± this")
	reorder := fs.Float64("reorder", 0, "percentage of packets released at once")
	seed := fs.Uint64("seed", uint64(time.Now().UnixNano()), "random seed")
	_ = fs.Parse(args)
	spec.Reorder = *reorder / 100
	ready := os.NewFile(3, "ready")
	report := func(err error) {
		if ready == nil {
			return
		}
		msg := "ok\n"
		if err != nil {
			msg = err.Error() + "\n"
		}
		_, _ = ready.WriteString(msg)
		_ = ready.Close()
		ready = nil
	}
	if *queue > 65535 {
		err := fmt.Errorf("-queue %d out of range", *queue)
		report(err)
		return err
	}
	conn, err := nfqueue.Open(nfqueue.Config{
		Queue: uint16(*queue), Copy: nfqueue.CopyMeta, MaxLen: queueMaxLen,
		Flags: nfqueue.FlagFailOpen | nfqueue.FlagGSO,
	})
	if err != nil {
		report(err)
		return err
	}
	report(nil)
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("queue", *queue)
	log.Info("delay daemon bound", "delay", spec.Delay, "jitter", spec.Jitter, "reorder", spec.Reorder)

	d := &delayer{conn: conn, spec: spec, rng: rand.New(rand.NewPCG(*seed, *seed>>1|1)), wake: make(chan struct{}, 1), log: log}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	recvDone := make(chan error, 1)
	go func() { recvDone <- d.receive() }()
	stop := make(chan struct{})
	relDone := make(chan struct{})
	go func() { d.release(stop); close(relDone) }()
	select {
	case s := <-sig:
		log.Info("delay daemon stopping", "signal", s.String())
	case err = <-recvDone:
		log.Error("delay daemon: receive failed", "err", err)
	}
	close(stop)
	<-relDone
	// Whatever is still held goes now: heal removes the rules first, so
	// at most a few packets arrive after this and the kernel drops those
	// on unbind.
	if err := d.flush(); err != nil {
		log.Error("delay daemon: flush", "err", err)
	}
	return conn.Close()
}

// delayer is the state shared by the receive and release loops.
type delayer struct {
	conn *nfqueue.Conn
	spec holdSpec
	wake chan struct{}
	log  *slog.Logger

	mu  sync.Mutex
	rng *rand.Rand
	q   releaseQueue
}

// receive queues every packet with its release time until the socket fails.
func (d *delayer) receive() error {
	failures := 0
	for {
		ps, err := d.conn.Receive()
		if err != nil {
			failures++
			// A kernel error message (e.g. a verdict for an id the
			// kernel already released) leaves the socket usable; a
			// closed socket, or errors without end, do not.
			if nfqueue.IsClosed(err) || failures > 100 {
				return err
			}
			d.log.Warn("receive", "err", err)
		} else {
			failures = 0
		}
		if len(ps) == 0 {
			continue
		}
		now := time.Now()
		var immediate []uint32
		d.mu.Lock()
		first := d.q.len() == 0
		for _, p := range ps {
			h := d.spec.hold(d.rng)
			if h == 0 {
				immediate = append(immediate, p.ID)
				continue
			}
			d.q.push(p.ID, now.Add(h))
		}
		d.mu.Unlock()
		if err := d.conn.Verdict(nfqueue.Accept, immediate...); err != nil {
			d.log.Warn("verdict", "err", err)
		}
		if first || d.spec.Jitter > 0 {
			// The next release time may have moved earlier.
			select {
			case d.wake <- struct{}{}:
			default:
			}
		}
	}
}

// release accepts packets as their release times come, until stop closes.
func (d *delayer) release(stop <-chan struct{}) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	var ids []uint32
	for {
		d.mu.Lock()
		var next time.Time
		ids, next = d.q.due(time.Now(), ids[:0])
		d.mu.Unlock()
		if err := d.conn.Verdict(nfqueue.Accept, ids...); err != nil {
			d.log.Warn("verdict", "err", err)
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = time.Until(next)
		}
		t.Reset(wait)
		select {
		case <-stop:
			return
		case <-d.wake:
		case <-t.C:
		}
	}
}

func (d *delayer) flush() error {
	d.mu.Lock()
	ids := d.q.all()
	d.mu.Unlock()
	return d.conn.Verdict(nfqueue.Accept, ids...)
}

// readStates lists the daemon records in stateDir.
func readStates() ([]fault.DelayDaemon, error) {
	ents, err := os.ReadDir(stateDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []fault.DelayDaemon
	for _, e := range ents {
		var q uint16
		if _, err := fmt.Sscanf(e.Name(), "queue-%d.json", &q); err != nil {
			continue
		}
		b, err := os.ReadFile(statePath(q))
		if err != nil {
			return nil, err
		}
		var st fault.DelayDaemon
		if err := json.Unmarshal(b, &st); err != nil {
			return nil, fmt.Errorf("%s: %w", statePath(q), err)
		}
		out = append(out, st)
	}
	return out, nil
}
