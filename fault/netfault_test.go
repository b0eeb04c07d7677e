package fault

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// netfault's answers keep their bytes (an older helper binary in an image
// and a newer cluster package must understand each other).
func TestNetfaultJSON(t *testing.T) {
	st := NetState{Table: true, Rules: 2, DroppedPackets: 9, Qdisc: "tbf", DelayRules: 1, Delays: []DelayState{{
		DelayDaemon: DelayDaemon{Queue: 3, Pid: 42, Delay: time.Millisecond, Reorder: 0.25, In: "10.0.0.2"},
		Running:     true, Held: 1, Packets: 7, CPUTime: 10 * time.Millisecond}}}
	assert.Equal(t, `{"table":true,"rules":2,"dropped_packets":9,"qdisc":"tbf","delay_rules":1,"delays":[{"queue":3,"pid":42,"delay_ns":1000000,"jitter_ns":0,"reorder":0.25,"in":"10.0.0.2","running":true,"held":1,"packets":7,"queue_drops":0,"socket_drops":0,"cpu_ns":10000000}]}`, mustJSON(t, st))
	assert.Equal(t, `{"table":false,"rules":0,"dropped_packets":0,"qdisc":"","delay_rules":0}`, mustJSON(t, NetState{}))
	assert.Equal(t, `{"ok":true,"rules":4}`, mustJSON(t, RuleCount{OK: true, Rules: 4}))
	assert.Equal(t, `{"file":"a","size":10,"new_size":5}`, mustJSON(t, DiskChange{File: "a", Size: 10, NewSize: 5}))
	assert.Equal(t, "a: flipped a bit at 3 7 of 10", DiskChange{File: "a", Size: 10, NewSize: 10, Flipped: []int64{3, 7}}.String())
	assert.Equal(t, "save raft: 2 files, 11 bytes (copy c1)", DirChange{Op: "save", Path: "raft", Copy: "c1", Files: 2, Bytes: 11}.String())
}
