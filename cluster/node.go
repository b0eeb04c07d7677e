package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
)

// Node is one member of a cluster: a holder container that owns the network
// namespace, and a node container running raftkv inside it.
type Node struct {
	c      *Cluster
	id     string
	ip     netip.Addr
	volume string

	mu       sync.Mutex
	holder   *testcontainers.DockerContainer
	ctr      string // node container id ("" while absent)
	endpoint string // cached http://host:port
	wipes    int
	left     bool // removed from the configuration by Leave, not yet rejoined
	// initial is the configuration a member announced through the store's
	// MemberAPI starts with (nil: the cluster's nodes).
	initial []NodeSpec
}

// ID is the node's raft server id and DNS alias: n1, n2, ...
func (n *Node) ID() string { return n.id }

// IP is the node's static address on the cluster network; it survives
// restarts, kills and wipes.
func (n *Node) IP() netip.Addr { return n.ip }

// HTTPAddr is the node's HTTP address as other nodes reach it (IP:8080).
func (n *Node) HTTPAddr() string { return net.JoinHostPort(n.ip.String(), strconv.Itoa(HTTPPort)) }

// RaftAddr is the raft address the node advertises (IP:7000).
func (n *Node) RaftAddr() string { return net.JoinHostPort(n.ip.String(), strconv.Itoa(RaftPort)) }

func (n *Node) String() string { return n.id }

func (n *Node) ctrID() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ctr
}

func (n *Node) labels(role string) map[string]string {
	l := map[string]string{LabelNode: n.id, LabelRole: role}
	for k, v := range n.c.labels {
		l[k] = v
	}
	return l
}

// tcLogger routes testcontainers' own messages to the cluster's slog logger
// at debug level.
type tcLogger struct{ n *Node }

func (l tcLogger) Printf(format string, v ...any) {
	l.n.c.log.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)), "node", l.n.id)
}

var _ tclog.Logger = tcLogger{}

func (n *Node) createHolder(ctx context.Context) error {
	c := n.c
	ctr, err := testcontainers.Run(ctx, c.labImage,
		testcontainers.WithName(fmt.Sprintf("raftlab-%s-%s-pod", c.id, n.id)),
		testcontainers.WithEntrypoint("/netfault"),
		testcontainers.WithCmd("hold", "-echo", ":"+strconv.Itoa(EchoPort)),
		testcontainers.WithExposedPorts(strconv.Itoa(HTTPPort)+"/tcp"),
		testcontainers.WithLabels(n.labels("holder")),
		testcontainers.WithLogger(tcLogger{n}),
		tcnetwork.WithNetwork([]string{n.id}, c.network),
		testcontainers.WithEndpointSettingsModifier(func(m map[string]*network.EndpointSettings) {
			if es := m[c.network.Name]; es != nil {
				es.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: n.ip}
			}
		}),
		testcontainers.WithConfigModifier(func(cfg *container.Config) { cfg.Hostname = n.id }),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			// netfault execs need CAP_NET_ADMIN in this namespace.
			hc.CapAdd = []string{"NET_ADMIN"}
		}),
	)
	if err != nil {
		return fmt.Errorf("%s: holder: %w", n.id, err)
	}
	n.mu.Lock()
	n.holder = ctr
	n.mu.Unlock()
	_, err = n.Endpoint(ctx)
	return err
}

// createNode creates the data volume and the node container and starts it.
// join is the HTTP address of a member to join ("" bootstraps).
func (n *Node) createNode(ctx context.Context, join string) error {
	c := n.c
	if _, err := c.dc.VolumeCreate(ctx, client.VolumeCreateOptions{Name: n.volume, Labels: n.labels("node")}); err != nil {
		return fmt.Errorf("%s: volume: %w", n.id, err)
	}
	n.mu.Lock()
	holderID := n.holder.GetContainerID()
	n.mu.Unlock()
	ctr, err := testcontainers.Run(ctx, c.image,
		testcontainers.WithName(fmt.Sprintf("raftlab-%s-%s", c.id, n.id)),
		// The image's own entrypoint: /raftkv in images built here, the
		// store's binary in a ready image (Options.Image).
		testcontainers.WithCmd(n.args(join)...),
		testcontainers.WithLabels(n.labels("node")),
		testcontainers.WithLogger(tcLogger{n}),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.NetworkMode = container.NetworkMode("container:" + holderID)
			hc.Mounts = []mount.Mount{{Type: mount.TypeVolume, Source: n.volume, Target: "/data"}}
			if m := c.opts.MemoryBytes; m > 0 {
				hc.Resources.Memory = m
				hc.Resources.MemorySwap = m
			}
			if cpus := c.opts.CPUs; cpus > 0 {
				hc.Resources.NanoCPUs = int64(cpus * 1e9)
			}
		}),
	)
	if ctr != nil {
		n.mu.Lock()
		n.ctr = ctr.GetContainerID()
		n.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("%s: node container: %w", n.id, err)
	}
	return nil
}

// args is the node's command line, as its store writes it.
func (n *Node) args(join string) []string {
	n.mu.Lock()
	all := n.initial
	n.mu.Unlock()
	if all == nil {
		for _, m := range n.c.Nodes() {
			all = append(all, m.spec())
		}
	}
	return n.c.store().Args(n.spec(), all, join)
}

// Endpoint returns the node's HTTP base URL as the test process reaches it:
// http://<container IP>:8080 when the cluster reaches containers directly
// (see Reach), else http://127.0.0.1:<published port>, asking Docker each
// time; the port is published by the holder, so it stays the same across
// node restarts.
func (n *Node) Endpoint(ctx context.Context) (string, error) {
	n.mu.Lock()
	h := n.holder
	n.mu.Unlock()
	if h == nil {
		return "", fmt.Errorf("%s: no holder container", n.id)
	}
	if n.c.reach == ReachContainer {
		ep := "http://" + n.HTTPAddr()
		n.mu.Lock()
		n.endpoint = ep
		n.mu.Unlock()
		return ep, nil
	}
	host := publishedHost(n.c.dc.DaemonHost())
	p, err := h.MappedPort(ctx, strconv.Itoa(HTTPPort)+"/tcp")
	if err != nil {
		return "", fmt.Errorf("%s: mapped port: %w", n.id, err)
	}
	ep := "http://" + net.JoinHostPort(host, p.Port())
	n.mu.Lock()
	n.endpoint = ep
	n.mu.Unlock()
	return ep, nil
}

// ContainerState is the node container's Docker state: "running", "paused",
// "exited", "created", or "absent" while a wipe replaces it.
func (n *Node) ContainerState(ctx context.Context) (string, error) {
	id := n.ctrID()
	if id == "" {
		return "absent", nil
	}
	insp, err := n.c.dc.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return "", fmt.Errorf("%s: inspect: %w", n.id, err)
	}
	return string(insp.Container.State.Status), nil
}

func (n *Node) need(ctx context.Context) (string, error) {
	id := n.ctrID()
	if id == "" {
		return "", fmt.Errorf("%s: node container absent", n.id)
	}
	return id, nil
}

// Kill sends SIGKILL to the node process (a crash) and waits until it is
// gone. A paused node is killed too, without running again; killing a node
// that is down does nothing.
func (n *Node) Kill(ctx context.Context) error {
	id, err := n.need(ctx)
	if err != nil {
		return err
	}
	switch st, _ := n.ContainerState(ctx); st {
	case "paused":
		return n.killPaused(ctx, id)
	case "exited", "created":
		return nil // already down
	}
	if _, err := n.c.dc.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: "SIGKILL"}); err != nil {
		return fmt.Errorf("%s: kill: %w", n.id, err)
	}
	return n.waitState(ctx, "exited")
}

func (n *Node) killPaused(ctx context.Context, id string) error {
	_, err := n.c.dc.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: "SIGKILL"})
	if err != nil {
		// Engines that refuse to signal a frozen container: thaw, then kill at once.
		if _, uerr := n.c.dc.ContainerUnpause(ctx, id, client.ContainerUnpauseOptions{}); uerr != nil {
			return fmt.Errorf("%s: kill paused: %w (unpause: %v)", n.id, err, uerr)
		}
		if _, err := n.c.dc.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: "SIGKILL"}); err != nil {
			return fmt.Errorf("%s: kill: %w", n.id, err)
		}
	} else if st, _ := n.ContainerState(ctx); st == "paused" {
		_, _ = n.c.dc.ContainerUnpause(ctx, id, client.ContainerUnpauseOptions{})
	}
	return n.waitState(ctx, "exited")
}

// Stop sends SIGTERM and waits up to grace for the process to exit before
// killing it (a clean shutdown).
func (n *Node) Stop(ctx context.Context, grace time.Duration) error {
	id, err := n.need(ctx)
	if err != nil {
		return err
	}
	if st, _ := n.ContainerState(ctx); st == "paused" {
		if _, err := n.c.dc.ContainerUnpause(ctx, id, client.ContainerUnpauseOptions{}); err != nil {
			return fmt.Errorf("%s: unpause before stop: %w", n.id, err)
		}
	}
	secs := int((grace + time.Second - 1) / time.Second)
	if _, err := n.c.dc.ContainerStop(ctx, id, client.ContainerStopOptions{Signal: "SIGTERM", Timeout: &secs}); err != nil {
		return fmt.Errorf("%s: stop: %w", n.id, err)
	}
	return nil
}

// Start starts a killed or stopped node with its data and original flags.
// It returns once the process runs; use WaitReady to wait for it to rejoin.
func (n *Node) Start(ctx context.Context) error {
	id, err := n.need(ctx)
	if err != nil {
		return err
	}
	if _, err := n.c.dc.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("%s: start: %w", n.id, err)
	}
	return nil
}

// Restart stops the node gracefully (SIGTERM, up to grace) and starts it again.
func (n *Node) Restart(ctx context.Context, grace time.Duration) error {
	if err := n.Stop(ctx, grace); err != nil {
		return err
	}
	return n.Start(ctx)
}

// Pause freezes every process of the node (cgroup freezer): the process
// neither runs nor notices, and its sockets stay open. Pausing a paused node
// does nothing.
func (n *Node) Pause(ctx context.Context) error {
	id, err := n.need(ctx)
	if err != nil {
		return err
	}
	if st, _ := n.ContainerState(ctx); st == "paused" {
		return nil
	}
	if _, err := n.c.dc.ContainerPause(ctx, id, client.ContainerPauseOptions{}); err != nil {
		return fmt.Errorf("%s: pause: %w", n.id, err)
	}
	return nil
}

// Resume thaws a paused node; on a node that is not paused it does nothing.
func (n *Node) Resume(ctx context.Context) error {
	id, err := n.need(ctx)
	if err != nil {
		return err
	}
	if st, _ := n.ContainerState(ctx); st != "paused" {
		return nil
	}
	if _, err := n.c.dc.ContainerUnpause(ctx, id, client.ContainerUnpauseOptions{}); err != nil {
		return fmt.Errorf("%s: resume: %w", n.id, err)
	}
	return nil
}

func (n *Node) waitState(ctx context.Context, want string) error {
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return poll(wctx, 20*time.Millisecond, func() (bool, error) {
		st, err := n.ContainerState(wctx)
		return st == want, err
	})
}

// Wipe makes the node lose all its data and come back as a fresh member, the
// way an operator replaces a failed disk: the node container is removed with
// its volume, the member is removed from the raft configuration through a
// surviving node (forwarded to the leader), and a new empty node is started
// that joins the current leader. It never bootstraps. Wipe returns when the
// new node is a voter again. The rest of the cluster must have a quorum.
// It is Destroy followed by Replace.
func (n *Node) Wipe(ctx context.Context) error {
	if err := n.Destroy(ctx); err != nil {
		return fmt.Errorf("wipe: %w", err)
	}
	if err := n.Replace(ctx); err != nil {
		return fmt.Errorf("wipe: %w", err)
	}
	return nil
}

// WaitReady waits until the node answers /ready: it knows a leader and is a
// voter in the latest configuration.
func (n *Node) WaitReady(ctx context.Context) error {
	err := poll(ctx, 50*time.Millisecond, func() (bool, error) {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		cl, err := n.storeProbe(rctx)
		return err == nil && cl.Ready(rctx) == nil, nil
	})
	if err != nil {
		return fmt.Errorf("%s: not ready: %w", n.id, err)
	}
	return nil
}

// Logs returns the node container's output (stdout and stderr, with Docker
// timestamps). It works on stopped containers.
func (n *Node) Logs(ctx context.Context) ([]byte, error) {
	id, err := n.need(ctx)
	if err != nil {
		return nil, err
	}
	rc, err := n.c.dc.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true})
	if err != nil {
		return nil, fmt.Errorf("%s: logs: %w", n.id, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := stdcopy.StdCopy(&buf, &buf, rc); err != nil && !errors.Is(err, io.EOF) {
		return buf.Bytes(), fmt.Errorf("%s: logs: %w", n.id, err)
	}
	return buf.Bytes(), nil
}

// SaveLog writes the node's container log to <LogDir>/<id>.log.
func (n *Node) SaveLog(ctx context.Context) error {
	if n.c.opts.LogDir == "" {
		return errors.New("cluster: Options.LogDir is not set")
	}
	b, err := n.Logs(ctx)
	if err != nil {
		return err
	}
	return os.WriteFile(n.c.logPath(n.id+".log"), b, 0o644)
}

// MemoryStats is a node container's memory use.
type MemoryStats struct {
	// RSS is the cgroup's anonymous resident memory (cgroup v1 "rss", v2 "anon").
	RSS uint64
	// MappedFile is file-backed memory mapped by the container (Badger's
	// memory-mapped tables), as the cgroup reports it.
	MappedFile uint64
	// Usage is the cgroup's total charge, page cache included.
	Usage uint64
	// VmRSS is the raftkv process's resident set from /proc (anonymous plus
	// mapped pages), when the engine runs on this host; 0 otherwise.
	VmRSS uint64
}

// Memory samples the node container's memory use.
func (n *Node) Memory(ctx context.Context) (MemoryStats, error) {
	id, err := n.need(ctx)
	if err != nil {
		return MemoryStats{}, err
	}
	res, err := n.c.dc.ContainerStats(ctx, id, client.ContainerStatsOptions{Stream: false})
	if err != nil {
		return MemoryStats{}, fmt.Errorf("%s: stats: %w", n.id, err)
	}
	defer res.Body.Close()
	var st container.StatsResponse
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		return MemoryStats{}, fmt.Errorf("%s: stats: %w", n.id, err)
	}
	m := st.MemoryStats.Stats
	ms := MemoryStats{Usage: st.MemoryStats.Usage, RSS: m["rss"], MappedFile: m["mapped_file"]}
	if ms.RSS == 0 {
		ms.RSS = m["anon"]
	}
	if ms.MappedFile == 0 {
		ms.MappedFile = m["file_mapped"]
	}
	// localPid: a remote engine's pid numbers are some other process here.
	ms.VmRSS = vmRSS(n.localPid(ctx))
	return ms, nil
}

// vmRSS reads VmRSS of pid from /proc, or 0.
func vmRSS(pid int) uint64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
