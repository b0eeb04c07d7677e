package node

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/raftlab/raftlab/api"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestThreeNodesForwardingReadsAndFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node cluster")
	}
	nodes := startNodes(t, 3)
	ctx := context.Background()
	leader := leaderOf(t, nodes)
	var followers []*Node
	for _, nd := range nodes {
		if nd != leader {
			followers = append(followers, nd)
		}
	}

	// Writes and cas through a follower are forwarded to the leader.
	fc := api.NewClient(followers[0].HTTPAddr())
	require.Equal(t, api.OK, fc.SetMany(ctx, map[string]string{"x": "1", "y": "1"}).Outcome)
	require.Equal(t, api.OK, fc.CAS(ctx, "x", "1", "2").Outcome)
	r := fc.CAS(ctx, "x", "1", "3")
	require.True(t, r.Mismatch)
	assert.Equal(t, "2", *r.Value)

	// Linearizable and leader reads on any node see the write at once.
	for _, nd := range nodes {
		c := api.NewClient(nd.HTTPAddr())
		for _, lvl := range []api.ReadLevel{api.ReadLinearizable, api.ReadLeader} {
			r := c.Get(ctx, "x", lvl)
			require.Equal(t, api.OK, r.Outcome, "%s %s: %v", nd.ID(), lvl, r.Err)
			assert.Equal(t, "2", *r.Value, "%s %s", nd.ID(), lvl)
		}
		// Stale reads converge.
		waitFor(t, 5*time.Second, nd.ID()+" applies x", func() error {
			if v := c.Get(ctx, "x", api.ReadStale).Value; v == nil || *v != "2" {
				return fmt.Errorf("stale read %v", v)
			}
			return nil
		})
	}

	// Concurrent acknowledged writes, then the leader shuts down.
	acked := writeConcurrently(t, nodes, "acked", 3, 30)
	require.NoError(t, leader.Close())
	rest := followers
	newLeader := leaderOf(t, rest)
	assert.NotEqual(t, leader.ID(), newLeader.ID())
	c := api.NewClient(rest[1].HTTPAddr())
	for k, v := range acked {
		r := c.Get(ctx, k, api.ReadLinearizable)
		require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
		require.NotNil(t, r.Value, "acknowledged write %s lost", k)
		assert.Equal(t, v, *r.Value)
	}
	// The survivors still make progress with one member down.
	require.Equal(t, api.OK, c.Set(ctx, "after", "failover").Outcome)
}

// writeConcurrently runs clients against all live nodes and returns the
// acknowledged key/value pairs.
func writeConcurrently(t *testing.T, nodes []*Node, prefix string, clients, each int) map[string]string {
	t.Helper()
	var mu sync.Mutex
	acked := map[string]string{}
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := api.NewClient(nodes[i%len(nodes)].HTTPAddr())
			for j := 0; j < each; j++ {
				k, v := fmt.Sprintf("%s-%d-%d", prefix, i, j), strconv.Itoa(j)
				if c.Set(context.Background(), k, v).Outcome == api.OK {
					mu.Lock()
					acked[k] = v
					mu.Unlock()
				}
			}
		}(i)
	}
	wg.Wait()
	require.NotEmpty(t, acked)
	return acked
}

func TestRestartedMemberRejoinsWithoutBootstrapping(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node cluster")
	}
	nodes := startNodes(t, 3)
	ctx := context.Background()
	c := api.NewClient(nodes[0].HTTPAddr())
	mustSet(t, c, "k", "v")

	// Restart the bootstrap node with its directories and no -join: it must
	// come back as a member of the same cluster, not found a new one.
	first := nodes[0]
	cfg := first.cfg
	require.NoError(t, first.Close())
	cfg.HTTPAddr, cfg.RaftAddr = first.HTTPAddr(), first.RaftAddr()
	again, err := Start(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = again.Close() })
	waitReady(t, again)
	st, err := api.NewClient(again.HTTPAddr()).Status(ctx)
	require.NoError(t, err)
	assert.Len(t, st.Members, 3, "still one three-member cluster")

	// A join from a node that is already a member is harmless.
	require.NoError(t, api.NewClient(nodes[1].HTTPAddr()).Join(ctx, api.JoinRequest{ID: "n2", RaftAddr: nodes[1].RaftAddr(), HTTPAddr: nodes[1].HTTPAddr()}))
	st, err = api.NewClient(nodes[1].HTTPAddr()).Status(ctx)
	require.NoError(t, err)
	assert.Len(t, st.Members, 3)
	r := api.NewClient(again.HTTPAddr()).Get(ctx, "k", api.ReadLinearizable)
	require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
	assert.Equal(t, "v", *r.Value)

	// Removing a member works through any node.
	require.NoError(t, api.NewClient(again.HTTPAddr()).RemoveMember(ctx, "n3"))
	waitFor(t, 5*time.Second, "n3 removed", func() error {
		st, err := api.NewClient(nodes[1].HTTPAddr()).Status(ctx)
		if err != nil {
			return err
		}
		if len(st.Members) != 2 {
			return fmt.Errorf("%d members", len(st.Members))
		}
		return nil
	})
	// Removing it again is a 404 with a JSON error, also when forwarded. If
	// n3 was the leader, leadership moves first: until the survivors agree
	// on a new leader the answer is a 503 (not applied), so wait for it.
	waitFor(t, 10*time.Second, "404 for a second removal of n3", func() error {
		status, body := doReq(t, "DELETE", "http://"+nodes[1].HTTPAddr()+"/members/n3", "")
		if status != 404 {
			return fmt.Errorf("status %d: %v", status, body)
		}
		if !strings.Contains(fmt.Sprint(body["error"]), "no member") {
			return fmt.Errorf("error %q", body["error"])
		}
		return nil
	})
}

// --- real processes: SIGKILL and restart -------------------------------------

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// raftkvBinary builds cmd/raftkv once per test run.
func raftkvBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "raftkv-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "raftkv")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/raftkv").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

type proc struct {
	args []string
	http string
	cmd  *exec.Cmd
	log  *os.File
}

func (p *proc) start(t *testing.T, bin string) {
	t.Helper()
	p.cmd = exec.Command(bin, p.args...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	require.NoError(t, p.cmd.Start())
}

func (p *proc) kill() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

func TestKilledProcessRestartsAndCatchesUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the raftkv binary")
	}
	bin := raftkvBinary(t)
	dir := t.TempDir()
	var procs []*proc
	for i := 0; i < 3; i++ {
		id := fmt.Sprintf("p%d", i)
		p := &proc{http: freeAddr(t)}
		p.args = []string{"-id=" + id, "-http=" + p.http, "-raft=" + freeAddr(t),
			"-datadir=" + filepath.Join(dir, id, "data"), "-raftdir=" + filepath.Join(dir, id, "raft"),
			"-heartbeat-timeout=200ms", "-election-timeout=200ms", "-leader-lease-timeout=100ms",
			"-commit-timeout=5ms", "-snapshot-threshold=200", "-snapshot-interval=200ms", "-log-level=info"}
		if i > 0 {
			p.args = append(p.args, "-join="+procs[0].http)
		}
		f, err := os.Create(filepath.Join(dir, id+".log"))
		require.NoError(t, err)
		p.log = f
		p.start(t, bin)
		t.Cleanup(p.kill)
		procs = append(procs, p)
		if i == 0 {
			waitFor(t, 10*time.Second, "p0 ready", func() error { return api.NewClient(p.http).Ready(context.Background()) })
		}
	}
	for _, p := range procs {
		waitFor(t, 15*time.Second, p.http+" ready", func() error { return api.NewClient(p.http).Ready(context.Background()) })
	}
	defer func() {
		if t.Failed() {
			for _, p := range procs {
				b, _ := os.ReadFile(p.log.Name())
				t.Logf("--- %s\n%s", p.log.Name(), b)
			}
		}
	}()

	ctx := context.Background()
	// A cas chain on one key, with writes in between, while p2 is killed.
	c := api.NewClient(procs[0].http, api.WithTimeout(3*time.Second))
	require.Equal(t, api.OK, c.Set(ctx, "chain", "0").Outcome)
	victim := procs[2]
	var acked []string
	for i := 0; i < 300; i++ {
		if i == 100 {
			victim.kill()
		}
		k := fmt.Sprintf("w%d", i)
		if c.Set(ctx, k, k).Outcome == api.OK {
			acked = append(acked, k)
		}
		if i%10 == 0 {
			require.Equal(t, api.OK, c.CAS(ctx, "chain", strconv.Itoa(i/10), strconv.Itoa(i/10+1)).Outcome)
		}
	}
	require.Len(t, acked, 300, "a majority stays up: every write succeeds")

	// Restart the killed process from its directories: it rejoins and catches
	// up (through a snapshot: the threshold is low), and nothing applies twice.
	victim.start(t, bin)
	vc := api.NewClient(victim.http)
	waitFor(t, 20*time.Second, "killed node catches up", func() error {
		r := vc.Get(ctx, "w299", api.ReadStale)
		if r.Outcome != api.OK || r.Value == nil {
			return fmt.Errorf("w299 not on restarted node yet: %v", r.Err)
		}
		return nil
	})
	for _, k := range acked {
		r := vc.Get(ctx, k, api.ReadStale)
		require.Equal(t, api.OK, r.Outcome)
		require.NotNil(t, r.Value, "%s missing on restarted node", k)
	}
	r := vc.Get(ctx, "chain", api.ReadStale)
	require.NotNil(t, r.Value)
	assert.Equal(t, "30", *r.Value, "the cas chain is exactly as it was")

	// Kill the leader process too: the others elect and keep every write.
	st, err := vc.Status(ctx)
	require.NoError(t, err)
	var leader *proc
	for _, p := range procs {
		if p.http == st.LeaderHTTPAddr {
			leader = p
		}
	}
	require.NotNil(t, leader, "leader %s among processes", st.LeaderHTTPAddr)
	leader.kill()
	var other *proc
	for _, p := range procs {
		if p != leader {
			other = p
		}
	}
	oc := api.NewClient(other.http)
	waitFor(t, 15*time.Second, "new leader after SIGKILL", func() error {
		r := oc.Get(ctx, "chain", api.ReadLinearizable)
		if r.Outcome != api.OK {
			return r.Err
		}
		return nil
	})
	for _, k := range acked {
		r := oc.Get(ctx, k, api.ReadLinearizable)
		require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
		require.NotNil(t, r.Value, "acknowledged %s lost after leader SIGKILL", k)
	}
	assert.Equal(t, "30", *oc.Get(ctx, "chain", api.ReadLinearizable).Value)

	// SIGTERM stops a node gracefully: it exits 0 on its own.
	require.NoError(t, other.cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- other.cmd.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err, "graceful stop exits 0")
	case <-time.After(15 * time.Second):
		t.Fatal("node did not stop within 15s of SIGTERM")
	}
	other.cmd = nil
}

// A state machine that lost its data (its directory, or an unsynced tail on
// power loss) while raft's log was compacted into a snapshot must be rebuilt
// from that snapshot on start, then from the log.
func TestStateMachineBehindSnapshotIsRestoredOnStart(t *testing.T) {
	nd := startNodes(t, 1)[0]
	ctx := context.Background()
	c := api.NewClient(nd.HTTPAddr())
	for i := 0; i < 20; i++ {
		mustSet(t, c, fmt.Sprintf("k%d", i), "v")
	}
	require.NoError(t, nd.Raft().Snapshot().Error())
	require.Equal(t, api.OK, c.Set(ctx, "after-snapshot", "v").Outcome)
	cfg := nd.cfg
	require.NoError(t, nd.Close())
	require.NoError(t, os.RemoveAll(cfg.DataDir))

	cfg.HTTPAddr, cfg.RaftAddr = nd.HTTPAddr(), nd.RaftAddr()
	again, err := Start(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = again.Close() })
	waitReady(t, again)
	ac := api.NewClient(again.HTTPAddr())
	for _, k := range []string{"k0", "k19", "after-snapshot"} {
		r := ac.Get(ctx, k, api.ReadLinearizable)
		require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
		require.NotNil(t, r.Value, "%s lost", k)
	}
}
