package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/raftlab/raftlab/bugs"
)

// Node is one member of the replicated store: raft, its stores, the state
// machine and the HTTP API.
type Node struct {
	cfg    Config
	logger *slog.Logger
	fp     // failpoints and planted bugs (failpoint build only)

	raft      *raft.Raft
	fsm       *FSM
	logs      *LogStore
	logCache  *raft.LogCache
	transport *raft.NetworkTransport

	listener net.Listener
	server   *http.Server
	forward  *http.Client

	confirm     *leaderConfirmer
	barrierMu   sync.Mutex
	barrierTerm atomic.Uint64

	closing  atomic.Bool
	stop     context.CancelFunc
	bg       sync.WaitGroup
	closeErr error
	once     sync.Once
}

// Start opens the stores, starts raft (bootstrapping a new cluster only when
// there is no -join and no existing raft state), serves HTTP, and, with a
// join address, keeps asking to be added until it is.
func Start(cfg Config) (*Node, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, logger: cfg.Logger.With("node", cfg.ID)}
	if n.fp, err = newFP(cfg.Failpoints); err != nil {
		return nil, fmt.Errorf("-failpoints: %w", err)
	}
	if err := n.open(); err != nil {
		n.closeStores()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.stop = cancel
	n.bg.Add(2)
	go func() { defer n.bg.Done(); n.confirm.run(ctx) }()
	go func() { defer n.bg.Done(); n.registerSelfLoop(ctx) }()
	if cfg.Join != "" {
		n.bg.Add(1)
		go func() { defer n.bg.Done(); n.joinLoop(ctx) }()
	}
	n.bg.Add(1)
	go func() {
		defer n.bg.Done()
		if err := n.server.Serve(n.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.logger.Error("http server stopped", "err", err)
		}
	}()
	n.logger.Info("node started", "http", n.cfg.HTTPAdvertise, "raft", n.cfg.RaftAdvertise, "join", cfg.Join)
	return n, nil
}

func (n *Node) open() error {
	cfg := n.cfg
	for _, d := range []string{cfg.DataDir, cfg.RaftDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", d, err)
		}
	}
	var err error
	if n.fsm, err = OpenFSM(cfg.DataDir, n.logger); err != nil {
		return err
	}
	n.fsm.fp = n.fp
	if n.logs, err = OpenLogStore(filepath.Join(cfg.RaftDir, "store"), n.logger); err != nil {
		return err
	}
	n.logs.fp = n.fp
	// The cache keeps recent entries in memory: replication and the
	// read-index scan (read.go) read them back right after they are written.
	if n.logCache, err = raft.NewLogCache(1024, n.logs); err != nil {
		return fmt.Errorf("log cache: %w", err)
	}
	hlog := hclog.New(&hclog.LoggerOptions{
		Name:   "raft." + cfg.ID,
		Level:  hclog.LevelFromString(cfg.LogLevel),
		Output: cfg.RaftLog,
	})
	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.RaftDir, 2, hlog)
	if err != nil {
		return fmt.Errorf("snapshot store: %w", err)
	}
	if err := n.refuseLostRaftState(snaps); err != nil {
		return err
	}
	if err := n.dropStateMachineIfAhead(snaps); err != nil {
		return err
	}
	if err := n.catchUpFromSnapshot(snaps); err != nil {
		return err
	}
	if err := n.rollBackToSnapshot(snaps); err != nil {
		return err
	}

	if n.listener, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return fmt.Errorf("listen http %s: %w", cfg.HTTPAddr, err)
	}
	n.cfg.HTTPAdvertise = resolvePort(cfg.HTTPAdvertise, n.listener.Addr())

	raftLn, err := net.Listen("tcp", cfg.RaftAddr)
	if err != nil {
		return fmt.Errorf("listen raft %s: %w", cfg.RaftAddr, err)
	}
	n.cfg.RaftAdvertise = resolvePort(cfg.RaftAdvertise, raftLn.Addr())
	adv, err := net.ResolveTCPAddr("tcp", n.cfg.RaftAdvertise)
	if err != nil {
		raftLn.Close()
		return fmt.Errorf("raft advertise %s: %w", n.cfg.RaftAdvertise, err)
	}
	// A short dial/IO timeout: under a partition dropped SYNs would otherwise
	// stall replication to healthy peers for the OS default.
	var layer raft.StreamLayer = &streamLayer{ln: raftLn, adv: adv}
	if cfg.wrapStream != nil {
		layer = cfg.wrapStream(layer)
	}
	n.transport = raft.NewNetworkTransportWithLogger(layer, 3, 2*time.Second, hlog)

	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.ID)
	rc.Logger = hlog
	rc.HeartbeatTimeout = cfg.HeartbeatTimeout
	rc.ElectionTimeout = cfg.ElectionTimeout
	rc.LeaderLeaseTimeout = cfg.LeaderLeaseTimeout
	rc.CommitTimeout = cfg.CommitTimeout
	rc.SnapshotInterval = cfg.SnapshotInterval
	rc.SnapshotThreshold = cfg.SnapshotThreshold
	rc.TrailingLogs = cfg.SnapshotTrailingLogs
	// The FSM is durable and knows its applied index (fsm.go); restoring the
	// snapshot on every start would only throw that state away and rebuild it.
	rc.NoSnapshotRestoreOnStart = true
	if err := raft.ValidateConfig(rc); err != nil {
		return fmt.Errorf("raft config: %w", err)
	}

	if cfg.Join == "" {
		has, err := raft.HasExistingState(n.logCache, n.logs, snaps)
		if err != nil {
			return fmt.Errorf("check raft state: %w", err)
		}
		if !has {
			conf := raft.Configuration{Servers: []raft.Server{{
				Suffrage: raft.Voter, ID: rc.LocalID, Address: raft.ServerAddress(n.cfg.RaftAdvertise),
			}}}
			if err := raft.BootstrapCluster(rc, n.logCache, n.logs, snaps, n.transport, conf); err != nil {
				return fmt.Errorf("bootstrap: %w", err)
			}
			n.logger.Info("bootstrapped a new cluster")
		}
	}
	if err := n.recoverWhenAlone(rc, snaps); err != nil {
		return err
	}
	if n.raft, err = raft.NewRaft(rc, n.fsm, n.logCache, n.logs, snaps, n.transport); err != nil {
		return fmt.Errorf("start raft: %w", err)
	}
	n.confirm = newLeaderConfirmer(n.raft)
	n.forward = &http.Client{Timeout: cfg.ApplyTimeout + 2*time.Second}
	n.server = &http.Server{Handler: n.Handler(), ReadHeaderTimeout: 10 * time.Second}
	return nil
}

// catchUpFromSnapshot restores the newest snapshot when the state machine is
// behind it (for example its data directory was lost while the raft
// directory survived): raft will not replay entries the snapshot covers.
func (n *Node) catchUpFromSnapshot(snaps raft.SnapshotStore) error {
	list, err := snaps.List()
	if err != nil || len(list) == 0 {
		return err
	}
	meta, rc, err := snaps.Open(list[0].ID)
	if err != nil {
		return fmt.Errorf("open snapshot %s: %w", list[0].ID, err)
	}
	snapApplied, err := snapshotApplied(rc)
	rc.Close()
	if err != nil {
		return fmt.Errorf("read snapshot %s: %w", meta.ID, err)
	}
	if n.fsm.Applied() >= snapApplied {
		return nil
	}
	n.logger.Warn("state machine behind snapshot, restoring", "applied", n.fsm.Applied(), "snapshot", snapApplied)
	_, rc, err = snaps.Open(meta.ID)
	if err != nil {
		return fmt.Errorf("open snapshot %s: %w", meta.ID, err)
	}
	return n.fsm.restoreAtStart(rc)
}

// snapshotApplied reads the applied index stored in a snapshot stream. It is
// the first pair, because Persist writes keys in Badger's sorted order and
// "a/applied" sorts before every other prefix.
func snapshotApplied(r interface{ Read([]byte) (int, error) }) (uint64, error) {
	br := bufio.NewReader(r)
	k, err := readChunk(br)
	if err != nil {
		return 0, nil // empty snapshot
	}
	v, err := readChunk(br)
	if err != nil || string(k) != string(keyApplied) || len(v) != 8 {
		return 0, err
	}
	return uint64(v[0])<<56 | uint64(v[1])<<48 | uint64(v[2])<<40 | uint64(v[3])<<32 |
		uint64(v[4])<<24 | uint64(v[5])<<16 | uint64(v[6])<<8 | uint64(v[7]), nil
}

func resolvePort(advertise string, bound net.Addr) string {
	host, port, err := net.SplitHostPort(advertise)
	if err != nil || port != "0" {
		return advertise
	}
	_, realPort, _ := net.SplitHostPort(bound.String())
	return net.JoinHostPort(host, realPort)
}

// HTTPAddr is the address the HTTP API is reachable at.
func (n *Node) HTTPAddr() string { return n.cfg.HTTPAdvertise }

// RaftAddr is the advertised raft address.
func (n *Node) RaftAddr() string { return n.cfg.RaftAdvertise }

// ID is the node's raft server ID.
func (n *Node) ID() string { return n.cfg.ID }

// Raft exposes the raft instance (for tests and tools).
func (n *Node) Raft() *raft.Raft { return n.raft }

// Close stops the node gracefully: no new writes are accepted, in-flight HTTP
// requests finish, a leader hands leadership over, raft and the stores close.
func (n *Node) Close() error {
	n.once.Do(func() {
		n.closing.Store(true)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var errs []error
		if n.server != nil {
			if err := n.server.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("http shutdown: %w", err))
			}
		}
		if n.raft != nil && n.raft.State() == raft.Leader && n.voters() > 1 {
			// Hand over so the cluster does not wait an election timeout.
			if err := n.raft.LeadershipTransfer().Error(); err != nil {
				n.logger.Info("leadership transfer before shutdown failed", "err", err)
			}
		}
		if n.stop != nil {
			n.stop()
		}
		if n.raft != nil {
			if err := n.raft.Shutdown().Error(); err != nil {
				errs = append(errs, fmt.Errorf("raft shutdown: %w", err))
			}
		}
		n.bg.Wait()
		if n.transport != nil {
			n.transport.Close()
		}
		errs = append(errs, n.closeStores())
		n.closeErr = errors.Join(errs...)
	})
	return n.closeErr
}

func (n *Node) closeStores() error {
	var errs []error
	if n.listener != nil && n.server == nil {
		n.listener.Close()
	}
	if n.fsm != nil {
		if err := n.fsm.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close state machine: %w", err))
		}
	}
	if n.logs != nil {
		if err := n.logs.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close log store: %w", err))
		}
	}
	return errors.Join(errs...)
}

func (n *Node) voters() int {
	f := n.raft.GetConfiguration()
	if f.Error() != nil {
		return 0
	}
	c := 0
	for _, s := range f.Configuration().Servers {
		if s.Suffrage == raft.Voter {
			c++
		}
	}
	return c
}

// dropStateMachineIfAhead handles a raft log that lost its tail (a disk
// fault, or a log store that did not fsync) while the state machine, a
// separate database, kept a higher applied index. Left alone, the FSM would
// skip every entry a leader later sends at those indexes as "already
// applied", even though their content may differ: the replica would keep data
// the cluster no longer has and miss data it does. The state machine is only
// a cache of the log, so it is dropped here and rebuilt: from the newest local
// snapshot (catchUpFromSnapshot), then from the local log, then from the
// leader. DESIGN.md, "A state machine ahead of the raft log".
func (n *Node) dropStateMachineIfAhead(snaps raft.SnapshotStore) error {
	last, err := n.logs.LastIndex()
	if err != nil {
		return fmt.Errorf("read raft last index: %w", err)
	}
	var snapIdx uint64
	list, err := snaps.List()
	if err != nil {
		return fmt.Errorf("list snapshots: %w", err)
	}
	if len(list) > 0 {
		snapIdx = list[0].Index
	}
	applied := n.fsm.Applied()
	if applied <= max(last, snapIdx) {
		return nil
	}
	if n.bug(bugs.StateMachineAheadOK) {
		// Planted bug: keep the state machine; see bugs.StateMachineAheadOK.
		n.logger.Warn("planted bug: keeping a state machine ahead of the raft log", "applied", applied, "last_index", last)
		return nil
	}
	n.logger.Warn("state machine ahead of the raft log (log tail lost): dropping it, rebuilding from snapshot and log",
		"applied", applied, "last_index", last, "snapshot_index", snapIdx)
	return n.fsm.reset(n.cfg.DataDir)
}
