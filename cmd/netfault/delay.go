package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/xt"
	"github.com/raftlab/raftlab/fault"
	"golang.org/x/sys/unix"
)

// Delay rules live in two more base chains of the raftlab table, "qin"
// (input) and "qout" (output), at a priority after the drop chains: a packet
// that is queued and then accepted skips the rest of its chain, so the drop
// rules must see it first.
const queuePriority = 10

// nfqueueBypass is NFQ_FLAG_BYPASS of struct xt_NFQ_info_v3: with no
// daemon bound to the queue, packets pass instead of being dropped.
const nfqueueBypass = 0x01

// delay installs a delay fault: it starts a daemon bound to a fresh queue
// number, then adds rules that queue the peers' packets to it. With only
// -duplicate, no daemon runs.
func delay(args []string) (any, error) {
	fs := flag.NewFlagSet("delay", flag.ExitOnError)
	var spec holdSpec
	fs.DurationVar(&spec.Delay, "delay", 0, "how long each packet is held")
	fs.DurationVar(&spec.Jitter, "jitter", 0, "hold time varies uniformly by ± this (reorders packets when larger than their spacing)")
	reorder := fs.Float64("reorder", 0, "percentage of packets (0..100) released at once, overtaking held ones")
	dup := fs.Int("duplicate", 0, "percentage of outgoing packets (0..100) sent twice")
	in := fs.String("in", "", "comma-separated IPv4 peers whose packets to this node are delayed")
	out := fs.String("out", "", "comma-separated IPv4 peers to which this node's packets are delayed (and duplicated)")
	seed := fs.Uint64("seed", 0, "random seed of the daemon (0: from the clock)")
	_ = fs.Parse(args)
	switch {
	case spec.Delay < 0 || spec.Jitter < 0:
		return nil, errors.New("-delay and -jitter must not be negative")
	case spec.Jitter > 0 && spec.Delay == 0:
		return nil, errors.New("-jitter needs a -delay")
	case *reorder < 0 || *reorder > 100:
		return nil, fmt.Errorf("-reorder must be in 0..100, got %v", *reorder)
	case *reorder > 0 && spec.Delay == 0:
		return nil, errors.New("-reorder needs a -delay (packets overtake delayed ones)")
	case *dup < 0 || *dup > 100:
		return nil, fmt.Errorf("-duplicate must be in 0..100, got %d", *dup)
	case spec.Delay == 0 && *dup == 0:
		return nil, errors.New("nothing to do: give -delay or -duplicate")
	}
	inIPs, err := parseIPs(*in)
	if err != nil {
		return nil, fmt.Errorf("-in: %w", err)
	}
	outIPs, err := parseIPs(*out)
	if err != nil {
		return nil, fmt.Errorf("-out: %w", err)
	}
	if len(inIPs)+len(outIPs) == 0 {
		return nil, errors.New("no peers given (-in, -out)")
	}
	if *dup > 0 && len(outIPs) == 0 {
		return nil, errors.New("-duplicate acts on outgoing packets: give -out")
	}

	st := fault.DelayDaemon{Duplicate: *dup, In: *in, Out: *out, Delay: spec.Delay, Jitter: spec.Jitter, Reorder: *reorder}
	if spec.Delay > 0 {
		if st.Queue, st.Pid, err = startDaemon(spec, *reorder, *seed, st); err != nil {
			return nil, err
		}
	}
	rules, err := addDelayRules(st.Queue, spec.Delay > 0, uint32(*dup), inIPs, outIPs)
	if err != nil {
		if st.Pid != 0 {
			stopDaemon(st)
		}
		return nil, err
	}
	return map[string]any{"ok": true, "queue": st.Queue, "pid": st.Pid, "rules": rules}, nil
}

// startDaemon picks a free queue number, starts "netfault delayd" detached
// from this exec (its own session, no inherited stdout, so docker exec
// returns), waits until it has bound the queue and records it.
func startDaemon(spec holdSpec, reorder float64, seed uint64, st fault.DelayDaemon) (uint16, int, error) {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return 0, 0, err
	}
	queue, err := freeQueue()
	if err != nil {
		return 0, 0, err
	}
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	logf, err := os.OpenFile(fmt.Sprintf("%s/queue-%d.log", stateDir, queue), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, 0, err
	}
	defer logf.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, 0, err
	}
	defer pr.Close()
	cmd := exec.Command("/proc/self/exe", "delayd", "-queue", fmt.Sprint(queue),
		"-delay", spec.Delay.String(), "-jitter", spec.Jitter.String(),
		"-reorder", fmt.Sprint(reorder), "-seed", fmt.Sprint(seed))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{pw} // fd 3: readiness
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		pw.Close()
		return 0, 0, fmt.Errorf("start delay daemon: %w", err)
	}
	pw.Close()
	line, _ := bufio.NewReader(pr).ReadString('\n') // EOF if it dies first
	if line = strings.TrimSpace(line); line != "ok" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if line == "" {
			line = "exited before binding"
		}
		return 0, 0, fmt.Errorf("delay daemon on queue %d: %s", queue, line)
	}
	st.Queue, st.Pid = queue, cmd.Process.Pid
	b, _ := json.Marshal(st)
	if err := os.WriteFile(statePath(queue), b, 0o644); err != nil {
		_ = cmd.Process.Kill()
		return 0, 0, err
	}
	// The holder (pid 1, netfault hold) reaps it when it exits.
	_ = cmd.Process.Release()
	return queue, st.Pid, nil
}

// freeQueue returns the lowest queue number, from 1, without a live daemon.
func freeQueue() (uint16, error) {
	sts, err := readStates()
	if err != nil {
		return 0, err
	}
	used := map[uint16]bool{}
	for _, s := range sts {
		if daemonAlive(s.Pid) {
			used[s.Queue] = true
		} else {
			_ = os.Remove(statePath(s.Queue))
		}
	}
	for q := uint16(1); q < 65535; q++ {
		if !used[q] {
			return q, nil
		}
	}
	return 0, errors.New("no free queue number")
}

// daemonAlive reports whether pid is a running (not zombie) delay daemon, so
// a recycled pid is never signalled.
func daemonAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !strings.Contains(string(cmdline), "delayd") {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// Fields after the parenthesised command name: state first.
	i := strings.LastIndexByte(string(stat), ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}

// stopDaemon sends SIGTERM, waits up to two seconds for the daemon to
// release its packets and exit, then kills it, and removes its record.
func stopDaemon(st fault.DelayDaemon) bool {
	defer os.Remove(statePath(st.Queue))
	if !daemonAlive(st.Pid) {
		return false
	}
	_ = syscall.Kill(st.Pid, syscall.SIGTERM)
	deadline := time.Now().Add(2 * time.Second)
	for daemonAlive(st.Pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if daemonAlive(st.Pid) {
		_ = syscall.Kill(st.Pid, syscall.SIGKILL)
	}
	return true
}

// stopDaemons stops every recorded delay daemon and returns how many ran.
func stopDaemons() (int, error) {
	sts, err := readStates()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range sts {
		if stopDaemon(s) {
			n++
		}
	}
	return n, nil
}

// addDelayRules adds, for each peer, a rule that queues its packets (when
// queued) and, outbound, one that duplicates duplicate% of them.
func addDelayRules(queue uint16, queued bool, duplicate uint32, inIPs, outIPs []netip.Addr) (int, error) {
	ch, err := ensure()
	if err != nil {
		return 0, err
	}
	qin, qout := ch.queueChains()
	rules := 0
	for _, ip := range outIPs {
		if duplicate > 0 {
			ch.c.AddRule(&nftables.Rule{Table: ch.tbl, Chain: qout, Exprs: dupExprs(ip, duplicate)})
			rules++
		}
		if queued {
			ch.c.AddRule(&nftables.Rule{Table: ch.tbl, Chain: qout, Exprs: queueExprs(16, ip, queue)})
			rules++
		}
	}
	if queued {
		for _, ip := range inIPs {
			ch.c.AddRule(&nftables.Rule{Table: ch.tbl, Chain: qin, Exprs: queueExprs(12, ip, queue)})
			rules++
		}
	}
	if err := ch.c.Flush(); err != nil {
		return 0, fmt.Errorf("nftables: %w", err)
	}
	return rules, nil
}

// queueChains adds (or reuses) the two delay chains.
func (ch *chains) queueChains() (in, out *nftables.Chain) {
	pol := nftables.ChainPolicyAccept
	prio := nftables.ChainPriorityRef(queuePriority)
	mk := func(name string, hook *nftables.ChainHook) *nftables.Chain {
		return ch.c.AddChain(&nftables.Chain{Name: name, Table: ch.tbl, Type: nftables.ChainTypeFilter,
			Hooknum: hook, Priority: prio, Policy: &pol})
	}
	return mk("qin", nftables.ChainHookInput), mk("qout", nftables.ChainHookOutput)
}

// queueExprs matches the address at offset (12: source, 16: destination)
// and queues the packet. This kernel has no nft "queue" expression
// (CONFIG_NFT_QUEUE is off) but has the xtables NFQUEUE target and the nft
// compat layer, so the verdict is the xtables target, revision 3:
// struct xt_NFQ_info_v3 { __u16 queuenum, queues_total, flags } in host
// byte order, padded to 8 bytes as XT_ALIGN requires.
func queueExprs(offset uint32, ip netip.Addr, queue uint16) []expr.Any {
	a := ip.As4()
	info := make([]byte, 8)
	binary.NativeEndian.PutUint16(info[0:], queue)
	binary.NativeEndian.PutUint16(info[2:], 1)
	binary.NativeEndian.PutUint16(info[4:], nfqueueBypass)
	xinfo := xt.Unknown(info)
	return []expr.Any{
		&expr.Payload{OperationType: expr.PayloadLoad, DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: 4},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: a[:]},
		&expr.Counter{},
		&expr.Target{Name: "NFQUEUE", Rev: 3, Info: &xinfo},
	}
}

// dupExprs sends a copy of percent% of the packets to ip (the nft "dup to"
// statement, nf_dup_ipv4). The copy goes out through the output hook
// again, so it is delayed like the original, independently.
func dupExprs(ip netip.Addr, percent uint32) []expr.Any {
	a := ip.As4()
	exprs := []expr.Any{
		&expr.Payload{OperationType: expr.PayloadLoad, DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 16, Len: 4},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: a[:]},
	}
	if percent < 100 {
		exprs = append(exprs,
			&expr.Numgen{Register: 2, Modulus: 100, Type: unix.NFT_NG_RANDOM},
			&expr.Byteorder{SourceRegister: 2, DestRegister: 2, Op: expr.ByteorderHton, Len: 4, Size: 4},
			&expr.Cmp{Op: expr.CmpOpLt, Register: 2, Data: binaryutil.BigEndian.PutUint32(percent)},
		)
	}
	return append(exprs, &expr.Counter{}, &expr.Dup{RegAddr: 1})
}
