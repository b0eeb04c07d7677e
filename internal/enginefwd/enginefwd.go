// Package enginefwd serves a Docker engine's Unix socket on a loopback TCP
// port, as a remote engine is served (DOCKER_HOST=tcp://…), for tests that
// prove the lab works through a remote engine on a machine that has only a
// local one. Only connections of the current user are carried: loopback is
// open to every local user, and the engine is root's.
package enginefwd

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Forwarder serves a Docker engine's socket on a TCP listener, as a remote
// engine would be served, for connections of this user only.
type Forwarder struct {
	ln               net.Listener
	network, address string
	// Accepted and Refused count the connections carried and turned away.
	Accepted, Refused atomic.Int64
	wg                sync.WaitGroup
	mu                sync.Mutex
	conns             map[net.Conn]struct{}
	closed            bool
}

// New listens on listen (host:port; port 0 picks one) and carries each
// connection to the engine at network/address ("unix", "/var/run/docker.sock").
func New(listen, network, address string) (*Forwarder, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("forwarder: listen %s: %w", listen, err)
	}
	f := &Forwarder{ln: ln, network: network, address: address, conns: map[net.Conn]struct{}{}}
	f.wg.Add(1)
	go f.serve()
	return f, nil
}

func (f *Forwarder) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return // closed
		}
		// Loopback is open to every local user; the engine is root's.
		if uid, err := peerUID(c); err != nil || uid != os.Getuid() {
			f.Refused.Add(1)
			_ = c.Close()
			continue
		}
		f.Accepted.Add(1)
		f.wg.Add(1)
		go f.pipe(c)
	}
}

// track registers a connection for close; false once closing.
func (f *Forwarder) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.conns[c] = struct{}{}
	return true
}

// pipe copies both ways; each direction's end is passed on as a half-close
// (the API's hijacked exec streams rely on it).
func (f *Forwarder) pipe(down net.Conn) {
	defer f.wg.Done()
	up, err := net.Dial(f.network, f.address)
	if err != nil || !f.track(down) || !f.track(up) {
		_ = down.Close()
		if up != nil {
			_ = up.Close()
		}
		return
	}
	var wg sync.WaitGroup
	cp := func(dst, src net.Conn) {
		defer wg.Done()
		_, _ = io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
	}
	wg.Add(2)
	go cp(up, down)
	go cp(down, up)
	wg.Wait()
	_ = up.Close()
	_ = down.Close()
	f.mu.Lock()
	delete(f.conns, up)
	delete(f.conns, down)
	f.mu.Unlock()
}

// Addr is the address it listens on.
func (f *Forwarder) Addr() string { return f.ln.Addr().String() }

// Close stops listening, cuts every carried connection and waits for them.
func (f *Forwarder) Close() {
	_ = f.ln.Close()
	f.mu.Lock()
	f.closed = true
	for c := range f.conns {
		_ = c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// peerUID is the uid owning the other end of a loopback TCP connection,
// from /proc/net/tcp (the row whose local address is the peer's).
func peerUID(c net.Conn) (int, error) {
	peer, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return 0, err
	}
	if !peer.Addr().Unmap().Is4() {
		return 0, errors.New("peerUID: IPv4 only")
	}
	a := peer.Addr().Unmap().As4()
	// /proc/net/tcp prints the address as a host-order (little-endian) word.
	want := strings.ToUpper(hex.EncodeToString([]byte{a[3], a[2], a[1], a[0]})) +
		fmt.Sprintf(":%04X", peer.Port())
	fh, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) > 7 && fs[1] == want {
			return strconv.Atoi(fs[7])
		}
	}
	return 0, fmt.Errorf("peerUID: %s not in /proc/net/tcp", c.RemoteAddr())
}
