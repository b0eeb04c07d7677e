package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// delayStates are the delay daemons as show reports them.
func delayStates() ([]fault.DelayState, error) {
	sts, err := readStates()
	if err != nil || len(sts) == 0 {
		return nil, err
	}
	queues := readQueueStats()
	var out []fault.DelayState
	for _, s := range sts {
		d := fault.DelayState{DelayDaemon: s, Running: daemonAlive(s.Pid)}
		if q, ok := queues[s.Queue]; ok {
			d.Held, d.QueueDrops, d.SocketDrops, d.Packets = q[0], q[1], q[2], q[3]
		}
		if d.Running {
			d.CPUTime = cpuTime(s.Pid)
		}
		out = append(out, d)
	}
	return out, nil
}

// readQueueStats parses /proc/net/netfilter/nfnetlink_queue: one line per
// bound queue, "queue portid held copy_mode copy_range queue_dropped
// user_dropped id_sequence 1". It returns held, queue_dropped, user_dropped
// and id_sequence by queue number, or nothing when the file is missing.
func readQueueStats() map[uint16][4]uint32 {
	f, err := os.Open("/proc/net/netfilter/nfnetlink_queue")
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[uint16][4]uint32{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q uint16
		var portid, held, mode, rng, qd, ud, seq uint32
		if n, _ := fmt.Sscan(sc.Text(), &q, &portid, &held, &mode, &rng, &qd, &ud, &seq); n == 8 {
			out[q] = [4]uint32{held, qd, ud, seq}
		}
	}
	return out
}

// cpuTime reads utime+stime of pid from /proc/<pid>/stat (in clock ticks
// of 1/100 s, USER_HZ on Linux).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state); utime is field 14, stime 15
	if len(f) < 13 {
		return 0
	}
	var ut, st int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * 10 * time.Millisecond
}
