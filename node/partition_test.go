package node

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// cuttable wraps a node's raft stream layer (Config.wrapStream) so a test can
// cut the node off from every peer, both ways: while cut, dials fail, the
// node's raft connections are closed, and so is every connection accepted.
type cuttable struct {
	raft.StreamLayer
	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

var errCut = errors.New("cut off by the test")

func (c *cuttable) wrap(l raft.StreamLayer) raft.StreamLayer { c.StreamLayer = l; return c }

// setCut cuts the node off (true) or heals it (false).
func (c *cuttable) setCut(cut bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cut = cut
	if cut {
		for _, conn := range c.conns {
			_ = conn.Close()
		}
		c.conns = nil
	}
}

// track keeps conn to close it on a cut, or closes it at once while cut.
func (c *cuttable) track(conn net.Conn) (net.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cut {
		_ = conn.Close()
		return nil, errCut
	}
	c.conns = append(c.conns, conn)
	return conn, nil
}

func (c *cuttable) Accept() (net.Conn, error) {
	for {
		conn, err := c.StreamLayer.Accept()
		if err != nil {
			return nil, err
		}
		// A refused peer is not an Accept error (that would stop raft's
		// listener); just drop the connection and wait for the next.
		if conn, err = c.track(conn); err == nil {
			return conn, nil
		}
	}
}

func (c *cuttable) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	c.mu.Lock()
	cut := c.cut
	c.mu.Unlock()
	if cut {
		return nil, errCut
	}
	conn, err := c.StreamLayer.Dial(addr, timeout)
	if err != nil {
		return nil, err
	}
	return c.track(conn)
}
