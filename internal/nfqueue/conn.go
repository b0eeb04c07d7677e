package nfqueue

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Conn is a bound queue. Receive and Verdict may be called from different
// goroutines (the netlink socket allows a concurrent reader and writer).
type Conn struct {
	nl    *netlink.Conn
	queue uint16
}

// Open binds cfg.Queue in the calling thread's network namespace. It needs
// CAP_NET_ADMIN there. Only one socket may bind a given queue number.
func Open(cfg Config) (*Conn, error) {
	nl, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		return nil, fmt.Errorf("nfqueue: dial netlink: %w", err)
	}
	// A reader that falls behind must not make Receive fail: the kernel
	// counts what it could not deliver, and fail-open covers a full queue.
	if err := nl.SetOption(netlink.NoENOBUFS, true); err != nil {
		nl.Close()
		return nil, fmt.Errorf("nfqueue: NETLINK_NO_ENOBUFS: %w", err)
	}
	_ = nl.SetReadBuffer(4 << 20) // best effort: capped by net.core.rmem_max
	m, err := BindMessage(cfg)
	if err != nil {
		nl.Close()
		return nil, err
	}
	if _, err := nl.Execute(m); err != nil {
		nl.Close()
		return nil, fmt.Errorf("nfqueue: bind queue %d: %w", cfg.Queue, err)
	}
	return &Conn{nl: nl, queue: cfg.Queue}, nil
}

// Queue is the bound queue number.
func (c *Conn) Queue() uint16 { return c.queue }

// Receive waits for the next queued packets. Error messages from the kernel
// (a verdict for an unknown id, say) come back as errors that leave the
// connection usable; see IsClosed for the fatal case.
func (c *Conn) Receive() ([]Packet, error) {
	msgs, err := c.nl.Receive()
	if err != nil {
		return nil, err
	}
	var ps []Packet
	for _, m := range msgs {
		p, err := DecodePacket(m)
		if errors.Is(err, ErrNotPacket) {
			continue // e.g. an acknowledgement
		}
		if err != nil {
			return ps, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// Verdict sends one verdict per id, in a single write.
func (c *Conn) Verdict(v Verdict, ids ...uint32) error {
	if len(ids) == 0 {
		return nil
	}
	msgs := make([]netlink.Message, len(ids))
	for i, id := range ids {
		msgs[i] = VerdictMessage(c.queue, id, v)
	}
	if _, err := c.nl.SendMessages(msgs); err != nil {
		return fmt.Errorf("nfqueue: verdict: %w", err)
	}
	return nil
}

// SetReadDeadline bounds the current and future Receive calls.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nl.SetReadDeadline(t) }

// Close unbinds the queue and closes the socket. The kernel drops packets
// that are still waiting for a verdict, so give them one first.
func (c *Conn) Close() error {
	// Unbinding explicitly is a courtesy: closing the socket unbinds too.
	_, _ = c.nl.Send(UnbindMessage(c.queue))
	return c.nl.Close()
}

// IsClosed reports whether err means the connection is closed (Receive after
// or during Close).
func IsClosed(err error) bool {
	return errors.Is(err, unix.EBADF) || errors.Is(err, net.ErrClosed)
}
