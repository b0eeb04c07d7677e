package scenarios

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/raftlab/raftlab/linearizability"
)

// progress prints the live status line of a run: stage, elapsed workload
// time, throughput over the last interval, outcome counts and the fault in
// place. On a terminal the line is rewritten in place every 250 ms;
// otherwise a line is printed every 5 s.
type progress struct {
	w       io.Writer
	tty     bool
	s       Scenario
	cnt     *counters
	mu      sync.Mutex
	stage   string
	fault   string
	clock   time.Time // workload start
	lastOps int64
	lastAt  time.Time
	quit    chan struct{}
	done    chan struct{}
}

func startProgress(w io.Writer, tty bool, s Scenario, cnt *counters) *progress {
	p := &progress{w: w, tty: tty, s: s, cnt: cnt, quit: make(chan struct{}), done: make(chan struct{})}
	if w == nil {
		close(p.done)
		return p
	}
	go p.loop()
	return p
}

func (p *progress) setStage(st string) {
	p.mu.Lock()
	p.stage = st
	p.mu.Unlock()
}

func (p *progress) setFault(f string) {
	p.mu.Lock()
	p.fault = f
	p.mu.Unlock()
}

func (p *progress) startClock() {
	p.mu.Lock()
	p.clock = time.Now()
	p.lastAt = p.clock
	p.mu.Unlock()
}

// line renders the status line and advances the throughput window.
func (p *progress) line(now time.Time) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ok, mm := p.cnt.get(linearizability.OutcomeOK), p.cnt.get(linearizability.OutcomeMismatch)
	fail, info := p.cnt.get(linearizability.OutcomeFail), p.cnt.get(linearizability.OutcomeInfo)
	if p.clock.IsZero() {
		return fmt.Sprintf("%s: %s", p.s.Name, p.stage)
	}
	total := ok + mm + fail + info
	rate := 0.0
	if dt := now.Sub(p.lastAt).Seconds(); dt > 0 {
		rate = float64(total-p.lastOps) / dt
	}
	p.lastOps, p.lastAt = total, now
	elapsed := min(now.Sub(p.clock), p.s.Duration).Round(100 * time.Millisecond)
	fault := p.fault
	if fault == "" {
		fault = "none"
	}
	return fmt.Sprintf("%s: %s %s/%s  %.0f ops/s  ok %d  cas≠ %d  fail %d  info %d  fault: %s",
		p.s.Name, p.stage, elapsed, p.s.Duration, rate, ok, mm, fail, info, fault)
}

func (p *progress) loop() {
	defer close(p.done)
	every := 5 * time.Second
	if p.tty {
		every = 250 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.quit:
			if p.tty {
				fmt.Fprint(p.w, "\r\033[K")
			}
			return
		case now := <-t.C:
			if p.tty {
				fmt.Fprintf(p.w, "\r\033[K%s", p.line(now))
			} else {
				fmt.Fprintln(p.w, p.line(now))
			}
		}
	}
}

func (p *progress) stop() {
	select {
	case <-p.quit:
	default:
		close(p.quit)
	}
	<-p.done
}
