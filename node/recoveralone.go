package node

import (
	"errors"
	"net"
	"syscall"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftlab/raftlab/bugs"
)

// aloneAfter is how long the planted bug bugs.RecoverAlone waits for some
// peer to be reachable before it forces a new cluster; refusedFor is how
// long it waits while peers' hosts answer but refuse (they are restarting).
const (
	aloneAfter = 1500 * time.Millisecond
	refusedFor = 10 * time.Second
)

// dialPeer is how the planted bug probes a peer; node tests replace it (a
// sandbox may answer for any address).
var dialPeer = net.DialTimeout

// recoverWhenAlone is the planted bug bugs.RecoverAlone: a restarted member
// that finds none of its peers reachable soon after it starts concludes
// that they are gone and forces a new one-node cluster from its own log
// (raft.RecoverCluster, the library's equivalent of etcd's
// --force-new-cluster), the way some start scripts do. A peer whose host
// refuses the connection is taken to be restarting and is waited for; only
// unreachable peers (no answer at all) count as gone. The node then leads a
// cluster of its own, serves its old data and acknowledges writes the real
// cluster never sees. With the bug off it does nothing: a node never
// changes the configuration on its own.
func (n *Node) recoverWhenAlone(rc *raft.Config, snaps raft.SnapshotStore) error {
	if !n.bug(bugs.RecoverAlone) {
		return nil
	}
	has, err := raft.HasExistingState(n.logCache, n.logs, snaps)
	if err != nil || !has {
		return err
	}
	members, err := n.fsm.Members()
	if err != nil {
		return err
	}
	var peers []string
	for id, addr := range members {
		if id != n.cfg.ID && addr != "" {
			peers = append(peers, addr)
		}
	}
	if len(peers) == 0 {
		return nil
	}
	start := time.Now()
	for {
		refused := false
		for _, addr := range peers {
			conn, err := dialPeer("tcp", addr, 300*time.Millisecond)
			if err == nil {
				conn.Close()
				return nil
			}
			refused = refused || errors.Is(err, syscall.ECONNREFUSED)
		}
		switch {
		case refused && time.Since(start) > refusedFor:
			return nil
		case !refused && time.Since(start) > aloneAfter:
			n.logger.Warn("planted bug: no peer reachable; forcing a new one-node cluster", "peers", peers)
			conf := raft.Configuration{Servers: []raft.Server{{
				Suffrage: raft.Voter, ID: rc.LocalID, Address: raft.ServerAddress(n.cfg.RaftAdvertise),
			}}}
			return raft.RecoverCluster(rc, n.fsm, n.logCache, n.logs, snaps, n.transport, conf)
		}
		time.Sleep(100 * time.Millisecond) // probing interval of the buggy start script
	}
}
