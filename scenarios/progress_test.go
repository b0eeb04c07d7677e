package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/raftlab/raftlab/linearizability"
)

func TestProgressLine(t *testing.T) {
	s, _ := Lookup("kill-leader")
	var cnt counters
	p := startProgress(nil, false, s, &cnt)
	p.setStage("starting cluster")
	if got := p.line(time.Now()); got != "kill-leader: starting cluster" {
		t.Errorf("before the workload: %q", got)
	}
	p.setStage("running")
	p.startClock()
	p.setFault("kill n2")
	cnt[linearizability.OutcomeOK].Add(90)
	cnt[linearizability.OutcomeMismatch].Add(4)
	cnt[linearizability.OutcomeFail].Add(5)
	cnt[linearizability.OutcomeInfo].Add(1)
	got := p.line(p.clock.Add(2 * time.Second))
	for _, want := range []string{"running 2s/12s", "50 ops/s", "ok 90", "cas≠ 4", "fail 5", "info 1", "fault: kill n2"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress line %q lacks %q", got, want)
		}
	}
	p.stop()
}
