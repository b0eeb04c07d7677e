package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// Reach says how the test process reaches its nodes' HTTP ports.
//
// Through a published port, every request goes through Docker's port proxy,
// which accepts the connection itself: a request to a killed node is sent,
// then ends in EOF, and must be recorded as unknown although no node process
// ever saw it. At the container address (IP:8080 on the cluster network) the
// connection goes straight to the node's network namespace; the holder keeps
// that namespace and its IP while the node is down, so the kernel refuses
// the connection (RST) and the request is a definite failure. A frozen node
// still accepts (the kernel answers the handshake) and its requests time out
// as unknown, which is right: they were sent.
type Reach string

const (
	// ReachAuto uses container addresses when a probe from this process
	// reaches them (Linux with a local engine), published ports otherwise
	// (a remote engine, Docker Desktop). The zero value means auto.
	ReachAuto Reach = "auto"
	// ReachContainer uses container addresses and fails Start when they
	// cannot be reached.
	ReachContainer Reach = "container"
	// ReachPublished uses the holders' published ports (the fallback).
	ReachPublished Reach = "published"
)

// ParseReach parses "auto", "container" or "published" ("" is auto).
func ParseReach(s string) (Reach, error) {
	switch r := Reach(s); r {
	case "", ReachAuto:
		return ReachAuto, nil
	case ReachContainer, ReachPublished:
		return r, nil
	}
	return "", fmt.Errorf("reach %q: want auto, container or published", s)
}

// reachProbeTimeout bounds each probe: a routable bridge answers in well
// under a millisecond; an unroutable address is dropped and would hang.
const reachProbeTimeout = 500 * time.Millisecond

// Reach is how this cluster's clients reach the nodes: ReachContainer or
// ReachPublished (never auto: Start decides).
func (c *Cluster) Reach() Reach { return c.reach }

// decideReach sets c.reach from Options.Reach, probing the first node's
// holder when asked to or when auto. It runs after the holders exist and
// before any node process: nothing listens on the HTTP port yet.
func (c *Cluster) decideReach(ctx context.Context) error {
	want, err := ParseReach(string(c.opts.Reach))
	if err != nil {
		return err
	}
	if want == ReachPublished {
		c.reach = ReachPublished
		return nil
	}
	n := c.Nodes()[0]
	if want == ReachAuto && engineIsRemote(ctx, c.dc.DaemonHost()) {
		// No probe: an answer at a remote engine's container address would
		// come from something else on this machine's side (see engineIsRemote).
		c.reach = ReachPublished
		c.log.Info("cluster: the engine runs on another host; using its published ports",
			"docker_host", c.dc.DaemonHost(), "at", publishedHost(c.dc.DaemonHost()))
	} else {
		perr := probeContainer(ctx, n)
		switch {
		case perr == nil:
			c.reach = ReachContainer
		case want == ReachContainer:
			return fmt.Errorf("reach container: %s at %s is not reachable from this process: %w", n.id, n.ip, perr)
		default:
			c.reach = ReachPublished
			c.log.Info("cluster: container addresses not reachable from here; using published ports", "err", perr)
		}
	}
	// The holders cached their published endpoints; recompute them.
	for _, n := range c.Nodes() {
		if _, err := n.Endpoint(ctx); err != nil {
			return err
		}
	}
	return nil
}

// probeContainer checks that this process reaches n's network namespace at
// its container address: the holder echoes a random UDP datagram (proof that
// it is this node's namespace and not some other host at that address), and
// a TCP connection to the HTTP port is refused or accepted by that namespace
// (proof that TCP gets through too: nothing listens yet, so a refusal is
// the expected answer).
func probeContainer(ctx context.Context, n *Node) error {
	ctx, cancel := context.WithTimeout(ctx, reachProbeTimeout)
	defer cancel()
	if err := probeEcho(ctx, net.JoinHostPort(n.ip.String(), strconv.Itoa(EchoPort))); err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", n.HTTPAddr())
	if err == nil {
		_ = conn.Close()
		return nil
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return nil
	}
	return fmt.Errorf("tcp %s: %w", n.HTTPAddr(), err)
}

// probeEcho sends datagrams with a random payload to addr until one comes
// back unchanged or ctx ends; a lost datagram is resent every 50 ms.
func probeEcho(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp4", addr)
	if err != nil {
		return fmt.Errorf("udp %s: %w", addr, err)
	}
	defer conn.Close()
	var b [16]byte
	_, _ = rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	deadline, _ := ctx.Deadline()
	buf := make([]byte, 64)
	for {
		if _, err := conn.Write([]byte(nonce)); err != nil {
			return fmt.Errorf("udp %s: %w", addr, err)
		}
		rd := time.Now().Add(50 * time.Millisecond)
		if deadline.Before(rd) {
			rd = deadline
		}
		_ = conn.SetReadDeadline(rd)
		k, err := conn.Read(buf)
		if err == nil && string(buf[:k]) == nonce {
			return nil
		}
		var ne net.Error
		if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
			// Refused (ICMP) or worse answers at once: pace the resends.
			t := time.NewTimer(50 * time.Millisecond)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
		if ctx.Err() != nil || !time.Now().Before(deadline) {
			if err == nil {
				err = errors.New("unexpected answer")
			}
			return fmt.Errorf("udp echo %s: no answer within %s: %w", addr, reachProbeTimeout, err)
		}
	}
}

// engineIsRemote reports whether daemonHost (the Docker client's endpoint)
// names an engine on another machine: a tcp, http, https or ssh URL whose
// host is neither a loopback address nor an address of one of this
// machine's interfaces. The containers of such an engine live on that
// machine's bridges, so auto does not probe them: the probe could only be
// answered by something on this side with the same address (a local lab's
// holder on a same-numbered subnet, since free subnets are chosen on the
// engine), and requests would then go to the wrong cluster. An engine
// reached over TCP on this machine (a forwarder, a loopback listener) is
// local and is probed as usual.
func engineIsRemote(ctx context.Context, daemonHost string) bool {
	var local []netip.Addr
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				local = append(local, p.Addr().Unmap())
			}
		}
	}
	lookup := func(host string) ([]netip.Addr, error) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}
	return isRemoteHost(daemonHost, local, lookup)
}

// isRemoteHost is engineIsRemote with this machine's addresses and the
// resolver given. A name that does not resolve counts as remote: it is not
// one of ours, and the published ports will say whether it is reachable.
func isRemoteHost(daemonHost string, local []netip.Addr, lookup func(string) ([]netip.Addr, error)) bool {
	u, err := url.Parse(daemonHost)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "tcp", "http", "https", "ssh":
	default:
		return false // unix socket, npipe: this machine
	}
	host := u.Hostname()
	if host == "" {
		return false
	}
	addrs := []netip.Addr{}
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = append(addrs, a)
	} else if rs, err := lookup(host); err == nil {
		addrs = rs
	}
	if len(addrs) == 0 {
		return true
	}
	for _, a := range addrs {
		a = a.Unmap()
		if a.IsLoopback() || a.IsUnspecified() || slices.Contains(local, a) {
			return false
		}
	}
	return true
}
