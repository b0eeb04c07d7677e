package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/raftlab/raftlab/fault"
	tcexec "github.com/testcontainers/testcontainers-go/exec"
)

// Direction selects which packets a Cut drops, seen from the node it is
// applied to.
type Direction int

const (
	// Both drops packets from and to the peers: a full cut.
	Both Direction = iota
	// Inbound drops packets from the peers to this node only.
	Inbound
	// Outbound drops packets from this node to the peers only.
	Outbound
)

func (d Direction) String() string {
	switch d {
	case Both:
		return "both"
	case Inbound:
		return "inbound"
	case Outbound:
		return "outbound"
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

// Network faults are nftables rules and a tbf qdisc installed by netfault in
// the node's network namespace (exec'd in the holder). They survive node
// kills, restarts, pauses and wipes, and last until Heal. They only ever name
// other nodes' addresses: the test process reaches the node from the
// network's gateway, which no rule matches, so faults never cut the lab's own
// access to a node (Limit, which shapes all egress, is the exception: it
// slows the node's HTTP answers too).

// Cut drops packets between this node and the peers, in the given direction.
// Cuts add up; Heal removes them all.
func (n *Node) Cut(ctx context.Context, peers []*Node, dir Direction) error {
	ips := peerIPs(peers, n)
	if ips == "" {
		return nil
	}
	args := []string{"cut"}
	if dir == Both || dir == Inbound {
		args = append(args, "-in", ips)
	}
	if dir == Both || dir == Outbound {
		args = append(args, "-out", ips)
	}
	_, err := n.netfault(ctx, args...)
	return err
}

// Isolate cuts this node from every other node, both ways.
func (n *Node) Isolate(ctx context.Context) error {
	return n.Cut(ctx, n.c.Others(n), Both)
}

// Drop makes the node lose percent (1..100) of the packets it exchanges with
// the other nodes, in both directions, at random.
func (n *Node) Drop(ctx context.Context, percent int) error {
	if percent < 1 || percent > 100 {
		return fmt.Errorf("%s: drop: percent must be 1..100, got %d", n.id, percent)
	}
	ips := peerIPs(n.c.Others(n), n)
	if ips == "" {
		return nil
	}
	_, err := n.netfault(ctx, "drop", "-percent", strconv.Itoa(percent), "-peers", ips)
	return err
}

// Limit shapes the node's egress (everything it sends, to peers and to the
// test process) to bytesPerSec with a tbf qdisc.
func (n *Node) Limit(ctx context.Context, bytesPerSec uint64) error {
	_, err := n.netfault(ctx, "limit", "-rate", strconv.FormatUint(bytesPerSec, 10))
	return err
}

// Heal removes every network fault from the node: rules, qdisc, and the
// delay daemons.
func (n *Node) Heal(ctx context.Context) error {
	_, err := n.netfault(ctx, "heal")
	return err
}

// FaultState is what is installed in a node's network namespace (netfault's
// answer to show).
type FaultState = fault.NetState

// Faults reports the rules and qdisc in place, with drop counters.
func (n *Node) Faults(ctx context.Context) (FaultState, error) {
	out, err := n.netfault(ctx, "show")
	if err != nil {
		return FaultState{}, err
	}
	var st FaultState
	if err := json.Unmarshal(out, &st); err != nil {
		return st, fmt.Errorf("%s: netfault show: %w: %s", n.id, err, out)
	}
	return st, nil
}

// ProbeResult counts UDP echo probes sent and answered, and the answers'
// round-trip times (netfault's answer to probe).
type ProbeResult = fault.ProbeResult

// Probe sends count UDP datagrams from this node's namespace to the peer's
// echo port and counts the answers: a direct measure of packet loss on the
// path, independent of raft.
func (n *Node) Probe(ctx context.Context, peer *Node, count int) (ProbeResult, error) {
	return n.probe(ctx, peer, "-n", strconv.Itoa(count), "-timeout", "1s")
}

// probe runs netfault probe with args against the peer's echo port and
// parses its answer (Probe and RTT differ only in their flags).
func (n *Node) probe(ctx context.Context, peer *Node, args ...string) (ProbeResult, error) {
	args = append(append([]string{"probe"}, args...), net.JoinHostPort(peer.ip.String(), strconv.Itoa(EchoPort)))
	out, err := n.netfault(ctx, args...)
	if err != nil {
		return ProbeResult{}, err
	}
	var r ProbeResult
	if err := json.Unmarshal(out, &r); err != nil {
		return r, fmt.Errorf("%s: netfault probe: %w: %s", n.id, err, out)
	}
	return r, nil
}

func peerIPs(peers []*Node, self *Node) string {
	var s []string
	for _, p := range peers {
		if p != self {
			s = append(s, p.ip.String())
		}
	}
	return strings.Join(s, ",")
}

// netfault runs the helper in the holder and returns its stdout.
func (n *Node) netfault(ctx context.Context, args ...string) ([]byte, error) {
	n.mu.Lock()
	h := n.holder
	n.mu.Unlock()
	if h == nil {
		return nil, fmt.Errorf("%s: no holder container", n.id)
	}
	code, r, err := h.Exec(ctx, append([]string{"/netfault"}, args...), tcexec.Multiplexed())
	if err != nil {
		return nil, fmt.Errorf("%s: netfault %s: %w", n.id, args[0], err)
	}
	out, _ := io.ReadAll(r)
	if code != 0 {
		return nil, fmt.Errorf("%s: netfault %s: exit %d: %s", n.id, strings.Join(args, " "), code, bytes.TrimSpace(out))
	}
	return bytes.TrimSpace(out), nil
}
