package cluster

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// DelaySpec is a latency fault: packets between a node and its peers are
// held in user space (nfnetlink_queue) and released later. This is the
// lab's netem: the kernel it runs on has no netem qdisc.
type DelaySpec struct {
	// Delay is how long each packet is held, in each direction the fault
	// covers: with Both, the round trip to a peer grows by 2×Delay.
	Delay time.Duration
	// Jitter varies each packet's hold uniformly in Delay±Jitter (clamped
	// at zero). Packets closer together than the spread overtake each
	// other, so jitter reorders.
	Jitter time.Duration
	// Reorder is the percentage (0..100) of packets released at once,
	// overtaking the held ones (netem's reorder). Needs a Delay.
	Reorder float64
	// Duplicate is the percentage (0..100) of outgoing packets sent twice
	// (nftables dup; nfqueue verdicts cannot clone a packet). It applies
	// to the Outbound side only, and may be used without a Delay.
	Duplicate int
	// Peers are the nodes whose traffic is affected (nil: every other
	// node). The lab's own traffic to the node is never delayed.
	Peers []*Node
	// Direction: Both, Inbound (packets from the peers) or Outbound
	// (packets to the peers).
	Direction Direction
}

func (s DelaySpec) String() string {
	v := s.Delay.String()
	if s.Jitter > 0 {
		v += "±" + s.Jitter.String()
	}
	if s.Reorder > 0 {
		v += fmt.Sprintf(" reorder %g%%", s.Reorder)
	}
	if s.Duplicate > 0 {
		v += fmt.Sprintf(" duplicate %d%%", s.Duplicate)
	}
	if s.Direction != Both {
		v += " " + s.Direction.String()
	}
	return v
}

// Delay installs a latency fault on the node: a delay daemon in the node's
// network namespace (it runs in the holder, so it keeps working while the
// node is paused, killed or restarted) and the rules that queue packets to
// it. Delays add up (each has its own daemon); Heal removes all of them.
func (n *Node) Delay(ctx context.Context, s DelaySpec) error {
	switch {
	case s.Delay < 0 || s.Jitter < 0:
		return fmt.Errorf("%s: delay: negative delay or jitter (%v)", n.id, s)
	case s.Delay == 0 && s.Duplicate == 0:
		return fmt.Errorf("%s: delay: neither a delay nor duplicates", n.id)
	case s.Duplicate > 0 && s.Direction == Inbound:
		return fmt.Errorf("%s: delay: duplicates are sent on the way out; direction %v has none", n.id, s.Direction)
	}
	peers := s.Peers
	if peers == nil {
		peers = n.c.Others(n)
	}
	ips := peerIPs(peers, n)
	if ips == "" {
		return nil
	}
	args := []string{"delay", "-delay", s.Delay.String(), "-jitter", s.Jitter.String(),
		"-reorder", strconv.FormatFloat(s.Reorder, 'g', -1, 64), "-duplicate", strconv.Itoa(s.Duplicate)}
	if s.Direction == Both || s.Direction == Inbound {
		args = append(args, "-in", ips)
	}
	if s.Direction == Both || s.Direction == Outbound {
		args = append(args, "-out", ips)
	}
	_, err := n.netfault(ctx, args...)
	return err
}

// DelayState is one delay daemon running in a node's namespace (netfault's
// answer).
type DelayState = fault.DelayState

// RTT measures round-trip times from this node's namespace to the peer's
// echo port with count UDP datagrams spaced by gap. The datagrams cross
// every rule of both namespaces, delays included.
func (n *Node) RTT(ctx context.Context, peer *Node, count int, gap time.Duration) (ProbeResult, error) {
	return n.probe(ctx, peer, "-n", strconv.Itoa(count), "-gap", gap.String(), "-timeout", "3s")
}
