package main

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/raftlab/raftlab/internal/nfqueue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// TestDelayInPrivateNetns runs the delay path against the real kernel, in a
// network namespace of its own (no Docker): the NFQUEUE rules, the queue
// binding and the release loop hold UDP packets on the loopback for the
// delay, and without a bound queue (the daemon gone) packets pass. It needs
// root (CAP_SYS_ADMIN to unshare) and is skipped without it.
func TestDelayInPrivateNetns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace")
	}
	// The namespace belongs to this test's goroutine's thread, which is
	// never unlocked: the thread ends with the goroutine, and the
	// namespace with it. Sockets made here stay in it.
	runtime.LockOSThread()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		t.Skipf("unshare: %v", err)
	}
	delayInNetns(t)
}

func delayInNetns(t *testing.T) {
	lo, err := netlink.LinkByName("lo")
	require.NoError(t, err)
	require.NoError(t, netlink.LinkSetUp(lo))
	echo, err := net.ListenPacket("udp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer echo.Close()
	go func() {
		buf := make([]byte, 64)
		for {
			n, from, err := echo.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = echo.WriteTo(buf[:n], from)
		}
	}()
	cl, err := net.Dial("udp4", echo.LocalAddr().String())
	require.NoError(t, err)
	defer cl.Close()
	rtt := func() time.Duration {
		t0 := time.Now()
		_, err := cl.Write([]byte("ping"))
		require.NoError(t, err)
		require.NoError(t, cl.SetReadDeadline(time.Now().Add(2*time.Second)))
		_, err = cl.Read(make([]byte, 8))
		require.NoError(t, err)
		return time.Since(t0)
	}
	require.Less(t, rtt(), 50*time.Millisecond)

	const queue, d = 7, 60 * time.Millisecond
	_, err = addDelayRules(queue, true, 0, nil, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	require.NoError(t, err)
	// No daemon yet: the bypass flag lets packets through.
	assert.Less(t, rtt(), 50*time.Millisecond, "an unbound queue blackholed packets")

	conn, err := nfqueue.Open(nfqueue.Config{Queue: queue, Copy: nfqueue.CopyMeta, MaxLen: 100, Flags: nfqueue.FlagFailOpen | nfqueue.FlagGSO})
	require.NoError(t, err)
	dl := &delayer{conn: conn, spec: holdSpec{Delay: d}, rng: rand.New(rand.NewPCG(1, 1)), wake: make(chan struct{}, 1), log: testLogger(t)}
	go func() { _ = dl.receive() }()
	stop := make(chan struct{})
	go dl.release(stop)
	// Request and echo both leave through the output hook to 127.0.0.1:
	// held twice.
	for range 3 {
		r := rtt()
		assert.GreaterOrEqual(t, r, 2*d)
		assert.Less(t, r, 2*d+200*time.Millisecond)
	}
	close(stop)
	require.NoError(t, dl.flush())
	require.NoError(t, conn.Close())
	assert.Less(t, rtt(), 50*time.Millisecond, "packets still held after the daemon closed")
}
