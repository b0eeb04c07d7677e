package fault

import (
	"fmt"
	"strconv"
	"time"
)

// The JSON the fault helper (cmd/netfault, run inside a node's network
// namespace or next to its volume) prints on stdout, and the cluster
// package decodes. Each type is the answer of one subcommand.

// RuleCount is what cut and drop print.
type RuleCount struct {
	OK    bool `json:"ok"`
	Rules int  `json:"rules"`
}

// NetState is what `netfault show` prints: what is installed in the
// namespace.
type NetState struct {
	Table          bool   `json:"table"`           // the raftlab nftables table exists
	Rules          int    `json:"rules"`           // drop rules in it
	DroppedPackets uint64 `json:"dropped_packets"` // packets those rules dropped
	Qdisc          string `json:"qdisc"`           // "tbf" while a Limit is in place
	RateBytes      uint64 `json:"rate_bytes,omitempty"`
	// DelayRules are the rules in the delay chains (they queue packets to
	// delay daemons); Delays the delay daemons.
	DelayRules int          `json:"delay_rules"`
	Delays     []DelayState `json:"delays,omitempty"`
}

// DelayDaemon is a delay daemon's settings: the record netfault keeps of
// each running daemon (its state file) and the first half of DelayState.
type DelayDaemon struct {
	Queue     uint16        `json:"queue"`
	Pid       int           `json:"pid"`
	Delay     time.Duration `json:"delay_ns"`
	Jitter    time.Duration `json:"jitter_ns"`
	Reorder   float64       `json:"reorder"`
	Duplicate int           `json:"duplicate_percent,omitempty"`
	In        string        `json:"in,omitempty"`  // peers whose packets to the node are held
	Out       string        `json:"out,omitempty"` // peers to which the node's packets are held
}

// DelayState is one delay daemon as `netfault show` reports it.
type DelayState struct {
	DelayDaemon
	Running bool `json:"running"`
	// From /proc/net/netfilter/nfnetlink_queue (the namespace's queues):
	Held    uint32 `json:"held"`    // packets waiting for a verdict now
	Packets uint32 `json:"packets"` // packets queued so far (the last packet id)
	// QueueDrops are packets that found the queue full (they pass
	// undelayed: the queue fails open); SocketDrops, packets the daemon
	// could not read in time (its socket buffer was full).
	QueueDrops  uint32 `json:"queue_drops"`
	SocketDrops uint32 `json:"socket_drops"`
	// CPUTime is the daemon's user+system time so far.
	CPUTime time.Duration `json:"cpu_ns"`
}

// ProbeResult is what `netfault probe` prints: UDP echo probes sent and
// answered, and the round-trip times of the answered ones. Reordered counts
// answers that came after an answer to a later probe; Duplicates, answers
// seen twice.
type ProbeResult struct {
	Sent       int           `json:"sent"`
	Received   int           `json:"received"`
	Reordered  int           `json:"reordered"`
	Duplicates int           `json:"duplicates"`
	RTTMin     time.Duration `json:"rtt_min_ns"`
	RTTMedian  time.Duration `json:"rtt_median_ns"`
	RTTP99     time.Duration `json:"rtt_p99_ns"`
	RTTMax     time.Duration `json:"rtt_max_ns"`
}

// DiskChange is what `netfault disk truncate|bitflip` did to a file.
type DiskChange struct {
	File    string  `json:"file"`
	Size    int64   `json:"size"`
	NewSize int64   `json:"new_size"`
	Flipped []int64 `json:"flipped,omitempty"` // byte offsets of flipped bits
	// Written: the file is preallocated, Size and NewSize are its written
	// part (up to its last non-zero byte), and a cut tail was zeroed.
	Written bool `json:"written,omitempty"`
}

// String is the change as people read it.
func (d DiskChange) String() string {
	if len(d.Flipped) > 0 {
		s := d.File + ": flipped a bit at"
		for _, o := range d.Flipped {
			s += " " + strconv.FormatInt(o, 10)
		}
		return s + " of " + strconv.FormatInt(d.Size, 10)
	}
	if d.Written {
		return fmt.Sprintf("%s: %d → %d written bytes (the rest zeroed)", d.File, d.Size, d.NewSize)
	}
	return fmt.Sprintf("%s: %d → %d bytes", d.File, d.Size, d.NewSize)
}

// DirChange is what `netfault disk save|restore|remove` did to a
// directory.
type DirChange struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Copy  string `json:"copy,omitempty"`
	Files int    `json:"files"`
	Bytes int64  `json:"bytes"`
}

// String is the change as people read it.
func (d DirChange) String() string {
	s := fmt.Sprintf("%s %s: %d files, %d bytes", d.Op, d.Path, d.Files, d.Bytes)
	if d.Copy != "" {
		s += " (copy " + d.Copy + ")"
	}
	return s
}
