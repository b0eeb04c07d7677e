// Package cluster runs clusters of a store — raftkv by default, any Store
// (etcd: package system/etcd) — as Docker containers (testcontainers-go)
// and hands chaos drivers the handles they need: kill, stop, start, pause,
// wipe, and network faults applied as kernel rules in a node's network
// namespace. Membership, failpoints and disk surgery speak raftkv's API
// and file layout.
//
// Each node is a pod of two containers from the same FROM scratch image:
//
//   - the holder runs `netfault hold`; it owns the network namespace, the
//     static IP on the cluster's network, the DNS alias (n1, n2, ...) and the
//     published HTTP port. Network faults are netfault processes exec'd in
//     it, so they work while the node is killed, stopped or paused, and they
//     survive node restarts;
//   - the node runs the store (raftkv) in the holder's namespace (NetworkMode
//     container:<holder>) with its data on a labelled named volume.
//
// Killing, stopping, pausing or restarting a node therefore keeps its IP
// (raft advertises an IP), its host port and any fault rules in place.
//
// Everything carries the label raftlab=1 plus the cluster id and the
// creating process; Close removes a cluster, Sweep removes what dead
// processes left, CleanupOnInterrupt handles SIGINT/SIGTERM.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
	"golang.org/x/sync/errgroup"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/nodeflags"
)

// Ports inside every node's network namespace.
const (
	HTTPPort = 8080
	RaftPort = 7000
	// EchoPort is the UDP echo port of every holder (netfault probe).
	EchoPort = 7999
)

// ReadyKey is the key Start writes to prove that a write round-trips. Workloads
// should not use it.
const ReadyKey = "_raftlab_ready"

// Options configures a cluster. The zero value is a three-node cluster with
// the node's default raft timeouts.
type Options struct {
	// Nodes is the number of nodes, 1..7 (default 3).
	Nodes int
	// The system under test: by default the node image is built from this
	// tree (EnsureImage). NodeSrc builds cmd/raftkv of another checkout
	// instead (NodeImage), for example a branch under review; Image runs a
	// ready image, any store that speaks the node HTTP API and accepts
	// raftkv's flags (docs/DESIGN.md). At most one of them may be set. The
	// holder containers always run netfault from this tree.
	NodeSrc string
	Image   string

	// Settings are passed to every node as flags (nodeflags.Settings.Args);
	// a zero field keeps the node's default.
	nodeflags.Settings
	// ExtraArgs are appended to every node's command line.
	ExtraArgs []string

	// MemoryBytes limits each node container's memory (0: no limit).
	MemoryBytes int64
	// CPUs limits each node container's CPU share, e.g. 0.5 (0: no limit).
	CPUs float64

	// LogDir, when set, receives each node's container log as <node>.log on
	// Close and on Node.SaveLog (a wiped node's earlier log as <node>.<n>.log).
	LogDir string
	// Logger receives progress messages (default slog.Default()).
	Logger *slog.Logger
	// ReadyTimeout bounds Start's wait for the cluster to be ready (default 60s).
	ReadyTimeout time.Duration
	// Reach chooses how this process reaches the nodes: container
	// addresses or published ports ("" or ReachAuto: probe; see Reach).
	Reach Reach

	// Store is the software in the node containers (nil: raftkv, from
	// this tree, NodeSrc or Image). Settings, ExtraArgs, membership,
	// failpoints and disk surgery are raftkv's; another store gets the
	// pods, kills, pauses and network faults.
	Store Store
}

// FastRaft returns o with raft timings suited to tests on a small machine:
// failures are detected in about a second, yet a loaded two-core host does
// not cause spurious elections.
func (o Options) FastRaft() Options {
	o.HeartbeatTimeout = 300 * time.Millisecond
	o.ElectionTimeout = 300 * time.Millisecond
	o.LeaderLeaseTimeout = 150 * time.Millisecond
	o.CommitTimeout = 10 * time.Millisecond
	return o
}

// Cluster is a running set of raftkv nodes on their own Docker network.
type Cluster struct {
	id   string
	opts Options
	// labImage (this tree: netfault) runs the holders, image the nodes.
	labImage string
	image    string
	log      *slog.Logger
	dc       *client.Client
	labels   map[string]string
	network  *testcontainers.DockerNetwork
	subnet   netip.Prefix
	gateway  netip.Addr
	// reach is set once by Start, after the holders exist and before the
	// node processes start ("" until then: published ports).
	reach Reach

	// mu guards nodes and nextHost: AddNode and RemoveNode change the
	// membership while faults, status polls and clients run.
	mu       sync.RWMutex
	nodes    []*Node
	nextHost int // host part of the next node's IP and number in its id

	closeOnce sync.Once
	closeErr  error
}

// Start brings up a cluster: a network with its own subnet, then every node's
// holder and node container. The first node bootstraps, the others join it.
// Start returns when every node is a voter, a leader is known and a write has
// round-tripped. On failure it removes whatever it created.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Nodes == 0 {
		opts.Nodes = 3
	}
	if opts.Nodes < 1 || opts.Nodes > 7 {
		return nil, fmt.Errorf("cluster: %d nodes requested; 1..7 are supported", opts.Nodes)
	}
	if opts.Image != "" && opts.NodeSrc != "" {
		return nil, errors.New("cluster: Options.Image and Options.NodeSrc are exclusive: the node comes from a ready image or from a source tree")
	}
	// A bad setting would only show as a node that never starts.
	if err := opts.Settings.Validate(); err != nil {
		return nil, fmt.Errorf("cluster: node settings: %w", err)
	}
	if _, err := ParseReach(string(opts.Reach)); err != nil {
		return nil, fmt.Errorf("cluster: Options.Reach: %w", err)
	}
	if err := reaperOff(); err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 60 * time.Second
	}
	dc, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	labImage, image, err := images(ctx, dc, opts)
	if err != nil {
		return nil, err
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	c := &Cluster{
		id:       hex.EncodeToString(b[:]),
		opts:     opts,
		labImage: labImage,
		image:    image,
		dc:       dc,
	}
	c.log = opts.Logger.With("cluster", c.id)
	c.labels = map[string]string{LabelProject: "1", LabelCluster: c.id, LabelOwner: owner()}
	if opts.LogDir != "" {
		if err := os.MkdirAll(opts.LogDir, 0o755); err != nil {
			return nil, err
		}
	}
	begin := time.Now()
	if err := c.start(ctx); err != nil {
		if opts.LogDir != "" {
			c.saveLogs(context.WithoutCancel(ctx))
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if rerr := c.remove(cctx); rerr != nil {
			c.log.Error("cluster: cleanup after failed start", "err", rerr)
		}
		return nil, fmt.Errorf("cluster: start: %w", err)
	}
	c.log.Info("cluster: ready", "nodes", opts.Nodes, "reach", c.reach, "subnet", c.subnet, "took", time.Since(begin).Round(time.Millisecond))
	return c, nil
}

func (c *Cluster) start(ctx context.Context) error {
	if err := c.createNetwork(ctx); err != nil {
		return err
	}
	for range c.opts.Nodes {
		c.newNode()
	}
	nodes := c.Nodes()
	g, gctx := errgroup.WithContext(ctx)
	for _, n := range nodes {
		g.Go(func() error { return n.createHolder(gctx) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := c.decideReach(ctx); err != nil {
		return err
	}
	g, gctx = errgroup.WithContext(ctx)
	for i, n := range nodes {
		join := ""
		if i > 0 {
			join = nodes[0].HTTPAddr()
		}
		if c.opts.Store != nil {
			join = "" // a foreign store starts from the static member list
		}
		g.Go(func() error { return n.createNode(gctx, join) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, c.opts.ReadyTimeout)
	defer cancel()
	return c.WaitReady(rctx)
}

// createNetwork creates the cluster's bridge network on a free /24 subnet.
// Subnets are taken from 10.213.0.0/16; a collision with a network created
// concurrently is retried on another subnet.
func (c *Cluster) createNetwork(ctx context.Context) error {
	var lastErr error
	for attempt := 0; attempt < 8; attempt++ {
		subnet, err := c.freeSubnet(ctx)
		if err != nil {
			return err
		}
		gw := subnet.Addr().Next()
		nw, err := tcnetwork.New(ctx,
			tcnetwork.WithLabels(c.labels),
			tcnetwork.WithIPAM(&network.IPAM{Driver: "default", Config: []network.IPAMConfig{{Subnet: subnet, Gateway: gw}}}),
		)
		if err == nil {
			c.network, c.subnet, c.gateway = nw, subnet, gw
			return nil
		}
		lastErr = err
		c.log.Debug("cluster: network create failed; trying another subnet", "subnet", subnet, "err", err)
	}
	return fmt.Errorf("create network: %w", lastErr)
}

func hostAddr(p netip.Prefix, host int) netip.Addr {
	a := p.Masked().Addr().As4()
	a[3] = byte(host)
	return netip.AddrFrom4(a)
}

func (c *Cluster) freeSubnet(ctx context.Context) (netip.Prefix, error) {
	ns, err := c.dc.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("list networks: %w", err)
	}
	var used []netip.Prefix
	for _, n := range ns.Items {
		for _, cfg := range n.IPAM.Config {
			if cfg.Subnet.IsValid() {
				used = append(used, cfg.Subnet)
			}
		}
	}
	var r [1]byte
	_, _ = rand.Read(r[:])
	for k := range 256 {
		third := (int(r[0]) + k) % 256
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 213, byte(third), 0}), 24)
		free := true
		for _, u := range used {
			if u.Overlaps(p) {
				free = false
				break
			}
		}
		if free {
			return p, nil
		}
	}
	return netip.Prefix{}, errors.New("no free /24 left in 10.213.0.0/16")
}

// ID is the cluster's id, part of every container and volume name.
func (c *Cluster) ID() string { return c.id }

// Nodes returns the nodes in order n1, n2, ...
func (c *Cluster) Nodes() []*Node {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]*Node(nil), c.nodes...)
}

// newNode appends the handle of the next node (n1 = .11, n2 = .12, ...);
// numbers are never reused, so a node added after a removal gets a fresh id,
// IP and volume.
func (c *Cluster) newNode() *Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextHost++
	id := "n" + strconv.Itoa(c.nextHost)
	n := &Node{
		c:      c,
		id:     id,
		ip:     hostAddr(c.subnet, 10+c.nextHost),
		volume: fmt.Sprintf("raftlab-%s-%s", c.id, id),
	}
	c.nodes = append(c.nodes, n)
	return n
}

// Node returns the node with the given id (n1, n2, ...), or nil.
func (c *Cluster) Node(id string) *Node {
	for _, n := range c.Nodes() {
		if n.id == id {
			return n
		}
	}
	return nil
}

// Subnet is the cluster network's IPv4 subnet; Gateway is the host's address
// on it (the source of the test process's HTTP requests).
func (c *Cluster) Subnet() netip.Prefix { return c.subnet }

// Gateway is the host side of the cluster network.
func (c *Cluster) Gateway() netip.Addr { return c.gateway }

// images returns the lab image (the holders' netfault, always from this
// tree) and the image of the system under test (see Options.NodeSrc).
func images(ctx context.Context, dc *client.Client, o Options) (lab, node string, err error) {
	if o.Store != nil {
		if lab, err = EnsureImage(ctx); err != nil {
			return "", "", err
		}
		node, err = o.Store.NodeImage(ctx, lab)
		if err != nil {
			return "", "", fmt.Errorf("cluster: %s image: %w", o.Store.Name(), err)
		}
		return lab, node, nil
	}
	if lab, err = EnsureImage(ctx); err != nil {
		return "", "", err
	}
	node, err = nodeImage(ctx, o, lab)
	return lab, node, err
}

// nodeImage is raftkv's node image: NodeSrc built, Image checked, or lab.
func nodeImage(ctx context.Context, o Options, lab string) (node string, err error) {
	dc, err := dockerClient(ctx)
	if err != nil {
		return "", err
	}
	if o.NodeSrc != "" {
		// Check the source before the (longer) lab build.
		if _, err := nodeSource(o.NodeSrc); err != nil {
			return "", fmt.Errorf("cluster: %w", err)
		}
	}
	switch {
	case o.NodeSrc != "":
		if node, err = NodeImage(ctx, o.NodeSrc); err != nil {
			return "", fmt.Errorf("cluster: %w", err)
		}
		return node, nil
	case o.Image != "":
		// Nothing is pulled on the lab's machines: say so now rather than
		// through a failed pull per container.
		if _, err := dc.ImageInspect(ctx, o.Image); cerrdefs.IsNotFound(err) {
			return "", fmt.Errorf("cluster: image %s is not present locally (nothing is pulled): build or load it first", o.Image)
		} else if err != nil {
			return "", fmt.Errorf("cluster: inspect image %s: %w", o.Image, err)
		}
		return o.Image, nil
	}
	return lab, nil
}

// Image is the node image the cluster runs.
func (c *Cluster) Image() string { return c.image }

// Others returns every node except the given ones.
func (c *Cluster) Others(except ...*Node) []*Node {
	var out []*Node
outer:
	for _, n := range c.Nodes() {
		for _, e := range except {
			if n == e {
				continue outer
			}
		}
		out = append(out, n)
	}
	return out
}

// WaitReady waits until every node answers /ready (it knows a leader and is a
// voter), a leader is agreed on, and a write to the leader reads back.
func (c *Cluster) WaitReady(ctx context.Context) error {
	for _, n := range c.Nodes() {
		if err := n.WaitReady(ctx); err != nil {
			return err
		}
	}
	return poll(ctx, 50*time.Millisecond, func() (bool, error) {
		l, err := c.leaderOnce(ctx)
		if err != nil || l == nil {
			return false, nil
		}
		want := c.id + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		cl, err := l.storeProbe(ctx)
		if err != nil || cl.Set(ctx, ReadyKey, want).Outcome != api.OK {
			return false, nil
		}
		r := cl.Get(ctx, ReadyKey, api.ReadLinearizable)
		return r.Outcome == api.OK && r.Value != nil && *r.Value == want, nil
	})
}

// Leader returns the node that a majority of the cluster's nodes agree is the
// leader (same leader id and term) and that itself claims leadership in that
// term, waiting for one until ctx ends. A leader on the minority side of a
// partition is returned only until the majority notices (one election
// timeout); use NewLeader to wait for a change.
func (c *Cluster) Leader(ctx context.Context) (*Node, error) {
	var leader *Node
	err := poll(ctx, 50*time.Millisecond, func() (bool, error) {
		l, err := c.leaderOnce(ctx)
		leader = l
		return err == nil && l != nil, nil
	})
	if err != nil {
		return nil, fmt.Errorf("no leader agreed on by a majority: %w", err)
	}
	return leader, nil
}

// NewLeader waits until a leader other than old is agreed on (see Leader).
func (c *Cluster) NewLeader(ctx context.Context, old *Node) (*Node, error) {
	var leader *Node
	err := poll(ctx, 50*time.Millisecond, func() (bool, error) {
		l, err := c.leaderOnce(ctx)
		leader = l
		return err == nil && l != nil && l != old, nil
	})
	if err != nil {
		return nil, fmt.Errorf("no new leader after %s: %w", old, err)
	}
	return leader, nil
}

func (c *Cluster) leaderOnce(ctx context.Context) (*Node, error) {
	type vote struct {
		leader string
		term   uint64
	}
	nodes := c.Nodes()
	sts := statuses(ctx, nodes, time.Second)
	votes := map[vote]int{}
	for _, st := range sts {
		if st == nil || st.LeaderID == "" {
			continue
		}
		votes[vote{st.LeaderID, st.Term}]++
	}
	for v, k := range votes {
		if k <= len(nodes)/2 {
			continue
		}
		// The leader must answer and claim the same term itself: followers
		// keep naming a dead leader until their heartbeat timeout.
		for i, n := range nodes {
			if n.id == v.leader && sts[i] != nil && sts[i].IsLeader() && sts[i].Term == v.term {
				return n, nil
			}
		}
	}
	return nil, nil
}

// Statuses returns every node's /status (nil for a node that did not answer
// within a second), in the order of Nodes.
func (c *Cluster) Statuses(ctx context.Context) []*api.Status {
	return statuses(ctx, c.Nodes(), time.Second)
}

func statuses(ctx context.Context, nodes []*Node, timeout time.Duration) []*api.Status {
	out := make([]*api.Status, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			if st, err := n.Status(sctx); err == nil {
				out[i] = st
			}
		}()
	}
	wg.Wait()
	return out
}

// Partition cuts the network between the given groups of nodes (both
// directions); nodes in no group are cut from everyone in a group. Rules add
// to those already in place; HealNetwork removes them.
func (c *Cluster) Partition(ctx context.Context, groups ...[]*Node) error {
	group := map[*Node]int{}
	for i, g := range groups {
		for _, n := range g {
			group[n] = i + 1
		}
	}
	nodes := c.Nodes()
	g, gctx := errgroup.WithContext(ctx)
	for _, n := range nodes {
		var peers []*Node
		for _, m := range nodes {
			if m != n && group[m] != group[n] {
				peers = append(peers, m)
			}
		}
		if len(peers) == 0 {
			continue
		}
		g.Go(func() error { return n.Cut(gctx, peers, Both) })
	}
	return g.Wait()
}

// HealNetwork removes every network fault from every node (Node.Heal on
// each). Killed, stopped and paused nodes stay as they are; see HealAll.
func (c *Cluster) HealNetwork(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, n := range c.Nodes() {
		g.Go(func() error { return n.Heal(gctx) })
	}
	return g.Wait()
}

// HealAll undoes every fault of every kind, cluster-wide, without waiting
// for the cluster to recover: it removes all network rules, resumes paused
// nodes and starts killed or stopped ones. Then, once every process runs, it
// replaces destroyed nodes (see Destroy; this needs a quorum) and adds nodes
// removed with Leave back. Nodes added with AddNode stay: a grown cluster is
// a healthy cluster. It tries every node and returns all errors.
func (c *Cluster) HealAll(ctx context.Context) error {
	var errs []error
	if err := c.HealNetwork(ctx); err != nil {
		errs = append(errs, err)
	}
	var destroyed []*Node
	for _, n := range c.Nodes() {
		st, err := n.ContainerState(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		switch st {
		case "paused":
			err = n.Resume(ctx)
		case "exited", "created":
			// A removed member of a MemberAPI store comes back empty
			// (Rejoin below); its old process would only be turned away.
			if !n.Left() || c.memberAPI() == nil {
				err = n.Start(ctx)
			}
		case "absent":
			destroyed = append(destroyed, n)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, n := range destroyed {
		if err := n.Replace(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	for _, n := range c.Nodes() {
		if n.Left() {
			if err := n.Rejoin(ctx); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Recover undoes every fault (HealAll) and waits until the cluster is ready
// (see WaitReady).
func (c *Cluster) Recover(ctx context.Context) error {
	if err := c.HealAll(ctx); err != nil {
		return err
	}
	return c.WaitReady(ctx)
}

// SaveLogs writes every node's container log to Options.LogDir (or does
// nothing when it is empty).
func (c *Cluster) SaveLogs(ctx context.Context) error {
	if c.opts.LogDir == "" {
		return nil
	}
	return c.saveLogs(ctx)
}

func (c *Cluster) saveLogs(ctx context.Context) error {
	var errs []error
	for _, n := range c.Nodes() {
		if n.ctrID() == "" {
			continue
		}
		if err := n.SaveLog(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Close saves the logs (when Options.LogDir is set) and removes the
// cluster's containers, volumes and network. It is safe to call more than
// once and from a t.Cleanup.
func (c *Cluster) Close(ctx context.Context) error {
	c.closeOnce.Do(func() {
		var errs []error
		if c.opts.LogDir != "" {
			if err := c.saveLogs(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		errs = append(errs, c.remove(ctx))
		c.closeErr = errors.Join(errs...)
		c.log.Info("cluster: closed")
	})
	return c.closeErr
}

func (c *Cluster) remove(ctx context.Context) error {
	return removeLabelled(ctx, c.dc, client.Filters{}.Add("label", LabelCluster+"="+c.id),
		func(map[string]string) bool { return true })
}

func (c *Cluster) logPath(name string) string { return filepath.Join(c.opts.LogDir, name) }

// poll calls f every interval until it returns true or an error, or ctx ends.
func poll(ctx context.Context, interval time.Duration, f func() (bool, error)) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ok, err := f()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
