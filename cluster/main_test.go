package cluster

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

type slogPrintf struct{}

func (slogPrintf) Printf(format string, v ...any) {
	slog.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)), "from", "testcontainers")
}

// Tests against the real Docker engine share one three-node cluster where
// that does not hurt isolation: every test that uses it starts from a healed,
// fully running, ready cluster (see healthy). -short skips them all.

var (
	sharedMu  sync.Mutex
	sharedC   *Cluster
	sharedErr error
	logRoot   string
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	// testcontainers' reaper (Ryuk) is an image that cannot be pulled here;
	// its own messages (a banner per provider) go to slog at debug level.
	_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	tclog.SetDefault(slogPrintf{})
	stop := CleanupOnInterrupt()
	level := slog.LevelInfo
	if os.Getenv("RAFTLAB_LOG") == "debug" {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	if err := CheckDocker(ctx); err == nil {
		if err := Sweep(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "sweep of earlier runs:", err)
		}
	}
	cancel()
	logRoot, _ = os.MkdirTemp("", "raftlab-cluster-test-")

	code := m.Run()
	if interrupted.Load() {
		select {} // the interrupt handler sweeps and exits
	}

	ctx, cancel = context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if sharedC != nil {
		_ = sharedC.Close(ctx)
	}
	if left := leftovers(ctx); left != "" && !interrupted.Load() {
		fmt.Fprintln(os.Stderr, "FAIL: labelled Docker objects left behind by the tests:\n"+left)
		code = 1
	}
	_ = SweepOwn(ctx)
	stop()
	if code != 0 {
		fmt.Fprintln(os.Stderr, "node logs of the test clusters:", logRoot)
	} else {
		_ = os.RemoveAll(logRoot)
	}
	os.Exit(code)
}

// leftovers lists this process's labelled containers, volumes and networks.
func leftovers(ctx context.Context) string {
	return listLabelled(ctx, client.Filters{}.Add("label", LabelOwner+"="+owner()))
}

// leftoversOf lists what remains of one cluster.
func leftoversOf(ctx context.Context, id string) string {
	return listLabelled(ctx, client.Filters{}.Add("label", LabelCluster+"="+id))
}

func listLabelled(ctx context.Context, f client.Filters) string {
	cl, err := dockerClient(ctx)
	if err != nil {
		return ""
	}
	var out []string
	if cs, err := cl.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f}); err == nil {
		for _, c := range cs.Items {
			out = append(out, "container "+strings.Join(c.Names, ","))
		}
	}
	if vs, err := cl.VolumeList(ctx, client.VolumeListOptions{Filters: f}); err == nil {
		for _, v := range vs.Items {
			out = append(out, "volume "+v.Name)
		}
	}
	if ns, err := cl.NetworkList(ctx, client.NetworkListOptions{Filters: f}); err == nil {
		for _, n := range ns.Items {
			out = append(out, "network "+n.Name)
		}
	}
	return strings.Join(out, "\n")
}

// needDocker skips under -short and fails, saying how to start the engine,
// when Docker is unreachable.
func needDocker(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Docker; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := CheckDocker(ctx); err != nil {
		t.Fatal(err)
	}
}

// testOptions are fast raft timings and a short apply timeout, so that
// faults resolve in a second or two on a loaded two-core machine.
func testOptions(name string) Options {
	o := Options{LogDir: logRoot + "/" + name}.FastRaft()
	o.ApplyTimeout = 2 * time.Second
	return o
}

// startCluster starts a cluster owned by one test.
func startCluster(t *testing.T, o Options) *Cluster {
	t.Helper()
	needDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c
}

// shared returns the package's shared three-node cluster, healthy.
func shared(t *testing.T) *Cluster {
	t.Helper()
	needDocker(t)
	sharedMu.Lock()
	if sharedC == nil && sharedErr == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		sharedC, sharedErr = Start(ctx, testOptions("shared"))
		cancel()
	}
	c, err := sharedC, sharedErr
	sharedMu.Unlock()
	if err != nil {
		t.Fatalf("shared cluster: %v", err)
	}
	healthy(t, c)
	return c
}

// healthy undoes every fault and waits until the cluster is ready again.
func healthy(t *testing.T, c *Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := c.Recover(ctx); err != nil {
		t.Fatalf("recover shared cluster: %v", err)
	}
}
