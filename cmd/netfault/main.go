// Command netfault is the lab's in-container fault helper. It ships in the node
// image next to raftkv and runs inside a node's network namespace (the node's
// "holder" container), so it works while the node process is killed, stopped
// or paused.
//
// Subcommands (all print one JSON object on success, and exit 1 with a message
// on stderr on failure):
//
//	netfault hold [-echo :7999]           wait for SIGTERM/SIGINT; answer UDP echo probes meanwhile
//	netfault cut  -in IP,... -out IP,...  drop packets from (-in) / to (-out) the given IPv4 peers
//	netfault drop -percent P -peers IP,.. drop P% of the packets from and to the peers, at random
//	netfault limit -rate BYTES [-dev eth0] limit egress bandwidth with a tbf qdisc
//	netfault delay -delay D [-jitter J] [-reorder P] [-duplicate P] -in IP,... -out IP,...
//	                                      hold packets from (-in) / to (-out) the peers in user
//	                                      space for D±J (nfqueue), release P% at once, send P%
//	                                      of the outgoing ones twice; starts a delay daemon
//	netfault heal [-dev eth0]             remove every rule and the qdisc this helper installed,
//	                                      and stop the delay daemons
//	netfault show [-dev eth0]             report installed rules, their drop counters, the qdisc
//	                                      and the delay daemons
//	netfault probe [-n 500] [-timeout 2s] IP:PORT
//	                                      send n UDP datagrams to a holder's echo port, count
//	                                      replies and report their round-trip times
//	netfault delayd ...                   the delay daemon itself (started by delay)
//	netfault disk truncate|bitflip -dir /data -glob PATTERN ...
//	                                      damage a stopped node's data file (see disk.go); run in a
//	                                      helper container that mounts the node's volume
//	netfault disk save|restore|remove -dir /data -path raft|kv [-copy NAME]
//	                                      an operator's mistake with a stopped node's directory
//	                                      (see diskcopy.go): copy it aside, put an old copy back, delete it
//
// Rules live in the nftables table "raftlab" (family ip), in two base chains
// "in" (input hook) and "out" (output hook), and delay rules in "qin" and
// "qout" (same hooks, evaluated after). Rules accumulate; heal removes the
// table as a whole. The helper needs CAP_NET_ADMIN in the namespace.
package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"github.com/raftlab/raftlab/fault"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

const tableName = "raftlab"

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var (
		out any
		err error
	)
	args := os.Args[2:]
	switch os.Args[1] {
	case "hold":
		err = hold(args)
	case "cut":
		out, err = cut(args)
	case "drop":
		out, err = drop(args)
	case "limit":
		out, err = limit(args)
	case "delay":
		out, err = delay(args)
	case "delayd":
		err = delayd(args)
	case "heal":
		out, err = heal(args)
	case "show":
		out, err = show(args)
	case "probe":
		out, err = probe(args)
	case "disk":
		out, err = disk(args)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "netfault %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	if out != nil {
		_ = json.NewEncoder(os.Stdout).Encode(out)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: netfault hold|cut|drop|limit|delay|heal|show|probe|disk [flags]")
	os.Exit(2)
}

// hold is the holder container's main process: it owns the network namespace
// and must exit promptly on SIGTERM (as pid 1 it gets no default handlers).
func hold(args []string) error {
	fs := flag.NewFlagSet("hold", flag.ExitOnError)
	echo := fs.String("echo", ":7999", "UDP address to echo probes on (empty: none)")
	_ = fs.Parse(args)
	if *echo != "" {
		pc, err := net.ListenPacket("udp4", *echo)
		if err != nil {
			return err
		}
		go func() {
			buf := make([]byte, 2048)
			for {
				n, from, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				_, _ = pc.WriteTo(buf[:n], from)
			}
		}()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range sig {
		if s != syscall.SIGCHLD {
			return nil
		}
		// As pid 1 it inherits the delay daemons once the exec that
		// started them returns, and must reap them.
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
	return nil
}

func parseIPs(s string) ([]netip.Addr, error) {
	var ips []netip.Addr
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		ip, err := netip.ParseAddr(f)
		if err != nil || !ip.Is4() {
			return nil, fmt.Errorf("not an IPv4 address: %q", f)
		}
		ips = append(ips, ip)
	}
	return ips, nil
}

type chains struct {
	c       *nftables.Conn
	tbl     *nftables.Table
	in, out *nftables.Chain
}

// ensure creates (or reuses) the table and its two base chains.
func ensure() (*chains, error) {
	c, err := nftables.New()
	if err != nil {
		return nil, err
	}
	tbl := c.AddTable(&nftables.Table{Family: nftables.TableFamilyIPv4, Name: tableName})
	pol := nftables.ChainPolicyAccept
	mk := func(name string, hook *nftables.ChainHook) *nftables.Chain {
		return c.AddChain(&nftables.Chain{Name: name, Table: tbl, Type: nftables.ChainTypeFilter,
			Hooknum: hook, Priority: nftables.ChainPriorityFilter, Policy: &pol})
	}
	return &chains{c: c, tbl: tbl, in: mk("in", nftables.ChainHookInput), out: mk("out", nftables.ChainHookOutput)}, nil
}

// addrRule drops packets whose source (in) or destination (out) address is ip,
// with probability percent/100 when percent < 100.
func (ch *chains) addrRule(chain *nftables.Chain, ip netip.Addr, percent uint32) {
	offset := uint32(12) // source address
	if chain == ch.out {
		offset = 16 // destination address
	}
	a := ip.As4()
	exprs := []expr.Any{
		&expr.Payload{OperationType: expr.PayloadLoad, DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: 4},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: a[:]},
	}
	if percent < 100 {
		// numgen writes host byte order and cmp compares bytes, so convert
		// to network order first (this is what nft itself emits).
		exprs = append(exprs,
			&expr.Numgen{Register: 1, Modulus: 100, Type: unix.NFT_NG_RANDOM},
			&expr.Byteorder{SourceRegister: 1, DestRegister: 1, Op: expr.ByteorderHton, Len: 4, Size: 4},
			&expr.Cmp{Op: expr.CmpOpLt, Register: 1, Data: binaryutil.BigEndian.PutUint32(percent)},
		)
	}
	exprs = append(exprs, &expr.Counter{}, &expr.Verdict{Kind: expr.VerdictDrop})
	ch.c.AddRule(&nftables.Rule{Table: ch.tbl, Chain: chain, Exprs: exprs})
}

func cut(args []string) (any, error) {
	fs := flag.NewFlagSet("cut", flag.ExitOnError)
	in := fs.String("in", "", "comma-separated IPv4 peers whose packets to this node are dropped")
	out := fs.String("out", "", "comma-separated IPv4 peers to which this node's packets are dropped")
	_ = fs.Parse(args)
	inIPs, err := parseIPs(*in)
	if err != nil {
		return nil, err
	}
	outIPs, err := parseIPs(*out)
	if err != nil {
		return nil, err
	}
	ch, err := ensure()
	if err != nil {
		return nil, err
	}
	for _, ip := range inIPs {
		ch.addrRule(ch.in, ip, 100)
	}
	for _, ip := range outIPs {
		ch.addrRule(ch.out, ip, 100)
	}
	if err := ch.c.Flush(); err != nil {
		return nil, fmt.Errorf("nftables: %w", err)
	}
	return fault.RuleCount{OK: true, Rules: len(inIPs) + len(outIPs)}, nil
}

func drop(args []string) (any, error) {
	fs := flag.NewFlagSet("drop", flag.ExitOnError)
	percent := fs.Int("percent", 0, "percentage of packets to drop, 1..100")
	peers := fs.String("peers", "", "comma-separated IPv4 peers; packets from and to them are dropped at random")
	_ = fs.Parse(args)
	if *percent < 1 || *percent > 100 {
		return nil, fmt.Errorf("percent must be in 1..100, got %d", *percent)
	}
	ips, err := parseIPs(*peers)
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, errors.New("no peers given")
	}
	ch, err := ensure()
	if err != nil {
		return nil, err
	}
	for _, ip := range ips {
		ch.addrRule(ch.in, ip, uint32(*percent))
		ch.addrRule(ch.out, ip, uint32(*percent))
	}
	if err := ch.c.Flush(); err != nil {
		return nil, fmt.Errorf("nftables: %w", err)
	}
	return fault.RuleCount{OK: true, Rules: 2 * len(ips)}, nil
}

func limit(args []string) (any, error) {
	fs := flag.NewFlagSet("limit", flag.ExitOnError)
	rate := fs.Uint64("rate", 0, "egress rate in bytes per second")
	dev := fs.String("dev", "eth0", "interface")
	_ = fs.Parse(args)
	if *rate < 1000 {
		return nil, fmt.Errorf("rate must be at least 1000 bytes/s, got %d", *rate)
	}
	l, err := netlink.LinkByName(*dev)
	if err != nil {
		return nil, err
	}
	// Burst: a tenth of a second's worth, but at least a few full frames.
	burst := max(*rate/10, 4*1514)
	// Queue: half a second's worth beyond the burst; the rest is dropped.
	queue := burst + *rate/2
	q := &netlink.Tbf{
		QdiscAttrs: netlink.QdiscAttrs{LinkIndex: l.Attrs().Index, Handle: netlink.MakeHandle(1, 0), Parent: netlink.HANDLE_ROOT},
		Rate:       *rate,
		Limit:      uint32(min(queue, 1<<31)),
		Buffer:     netlink.Xmittime(*rate, uint32(min(burst, 1<<31))),
	}
	if err := netlink.QdiscReplace(q); err != nil {
		return nil, fmt.Errorf("tbf: %w", err)
	}
	return map[string]any{"ok": true, "rate": *rate, "burst": burst, "queue": queue}, nil
}

func heal(args []string) (any, error) {
	fs := flag.NewFlagSet("heal", flag.ExitOnError)
	dev := fs.String("dev", "eth0", "interface")
	_ = fs.Parse(args)
	c, err := nftables.New()
	if err != nil {
		return nil, err
	}
	tables, err := c.ListTablesOfFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return nil, err
	}
	removed := false
	for _, t := range tables {
		if t.Name == tableName {
			c.DelTable(t)
			removed = true
		}
	}
	if removed {
		if err := c.Flush(); err != nil {
			return nil, fmt.Errorf("nftables: %w", err)
		}
	}
	// Rules first, daemons second: with no rule left nothing new is
	// queued, and a stopping daemon releases what it holds.
	stopped, err := stopDaemons()
	if err != nil {
		return nil, fmt.Errorf("delay daemons: %w", err)
	}
	tbf, err := findTbf(*dev)
	if err != nil {
		return nil, err
	}
	if tbf != nil {
		if err := netlink.QdiscDel(tbf); err != nil {
			return nil, fmt.Errorf("tbf: %w", err)
		}
	}
	return map[string]any{"ok": true, "table_removed": removed, "qdisc_removed": tbf != nil, "daemons_stopped": stopped}, nil
}

func findTbf(dev string) (netlink.Qdisc, error) {
	l, err := netlink.LinkByName(dev)
	if _, ok := err.(netlink.LinkNotFoundError); ok {
		return nil, nil // no such device, so no qdisc on it either
	}
	if err != nil {
		return nil, err
	}
	qs, err := netlink.QdiscList(l)
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		if q.Type() == "tbf" && q.Attrs().Parent == netlink.HANDLE_ROOT {
			return q, nil
		}
	}
	return nil, nil
}

func show(args []string) (any, error) {
	fs := flag.NewFlagSet("show", flag.ExitOnError)
	dev := fs.String("dev", "eth0", "interface")
	_ = fs.Parse(args)
	c, err := nftables.New()
	if err != nil {
		return nil, err
	}
	var st fault.NetState
	tables, err := c.ListTablesOfFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if t.Name != tableName {
			continue
		}
		st.Table = true
		for _, name := range []string{"qin", "qout"} {
			rules, err := c.GetRules(t, &nftables.Chain{Name: name, Table: t})
			if err == nil { // no such chain before the first delay
				st.DelayRules += len(rules)
			}
		}
		for _, name := range []string{"in", "out"} {
			rules, err := c.GetRules(t, &nftables.Chain{Name: name, Table: t})
			if err != nil {
				return nil, err
			}
			st.Rules += len(rules)
			for _, r := range rules {
				for _, e := range r.Exprs {
					if ctr, ok := e.(*expr.Counter); ok {
						st.DroppedPackets += ctr.Packets
					}
				}
			}
		}
	}
	if st.Delays, err = delayStates(); err != nil {
		return nil, err
	}
	q, err := findTbf(*dev)
	if err != nil {
		return nil, err
	}
	if q != nil {
		st.Qdisc = q.Type()
		if t, ok := q.(*netlink.Tbf); ok {
			st.RateBytes = t.Rate
		}
	}
	return st, nil
}

func probe(args []string) (any, error) {
	fs := flag.NewFlagSet("probe", flag.ExitOnError)
	n := fs.Int("n", 500, "datagrams to send")
	timeout := fs.Duration("timeout", 2*time.Second, "how long to wait for replies after the last send")
	gap := fs.Duration("gap", 200*time.Microsecond, "pause between sends")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		return nil, errors.New("want exactly one IP:PORT")
	}
	if *n < 1 {
		return nil, fmt.Errorf("-n must be positive, got %d", *n)
	}
	conn, err := net.Dial("udp4", fs.Arg(0))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	start := time.Now()
	// Each datagram carries its index and its send time (since start); the
	// echo sends it back unchanged.
	rtts := make([]time.Duration, 0, *n)
	seen := make([]bool, *n)
	var r fault.ProbeResult
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64)
		highest := -1
		for len(rtts) < *n {
			m, err := conn.Read(buf)
			if err != nil {
				return
			}
			now := time.Since(start)
			if m < 16 {
				continue
			}
			i := binary.BigEndian.Uint64(buf[:8])
			switch {
			case i >= uint64(*n):
			case seen[i]:
				r.Duplicates++
			default:
				seen[i] = true
				rtts = append(rtts, now-time.Duration(binary.BigEndian.Uint64(buf[8:16])))
				if int(i) < highest {
					r.Reordered++
				}
				highest = max(highest, int(i))
			}
		}
	}()
	msg := make([]byte, 32)
	for i := 0; i < *n; i++ {
		binary.BigEndian.PutUint64(msg, uint64(i))
		binary.BigEndian.PutUint64(msg[8:], uint64(time.Since(start)))
		_, _ = conn.Write(msg) // ECONNREFUSED from an earlier ICMP error is not fatal
		time.Sleep(*gap)
	}
	_ = conn.SetReadDeadline(time.Now().Add(*timeout))
	<-done
	r.Sent, r.Received = *n, len(rtts)
	if len(rtts) > 0 {
		slices.Sort(rtts)
		r.RTTMin, r.RTTMax = rtts[0], rtts[len(rtts)-1]
		r.RTTMedian = rtts[len(rtts)/2]
		r.RTTP99 = rtts[min(len(rtts)-1, len(rtts)*99/100)]
	}
	return r, nil
}
