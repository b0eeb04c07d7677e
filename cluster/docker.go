package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// Labels carried by every container, network and volume the package creates.
const (
	// LabelProject marks everything raftlab creates ("1").
	LabelProject = "raftlab"
	// LabelCluster holds the cluster id.
	LabelCluster = "raftlab.cluster"
	// LabelNode holds the node id (n1, n2, ...) on node and holder containers and volumes.
	LabelNode = "raftlab.node"
	// LabelRole is "holder" (owns the network namespace) or "node" (runs raftkv).
	LabelRole = "raftlab.role"
	// LabelOwner identifies the creating process as host/pid/starttime, so that
	// Sweep can tell leftovers of dead processes from live clusters of
	// concurrently running test binaries.
	LabelOwner = "raftlab.owner"
)

var (
	clientMu sync.Mutex
	dockerCl *client.Client
)

// reaperOff checks that testcontainers' reaper (Ryuk) is off: it is an
// image, and nothing can be pulled on the lab's machines; the package
// removes what it creates itself (Close, Sweep). Turning it off is the
// program's or the test's job (TESTCONTAINERS_RYUK_DISABLED=true before the
// first cluster call): a library does not change the process environment.
func reaperOff() error {
	if testcontainers.ReadConfig().Config.RyukDisabled {
		return nil
	}
	return errors.New("cluster: testcontainers' reaper (Ryuk) is on, and its image cannot be pulled here: " +
		"set TESTCONTAINERS_RYUK_DISABLED=true (the literal string) in the environment before the first cluster call, " +
		"or ryuk.disabled=true in ~/.testcontainers.properties")
}

// ErrDockerUnreachable wraps every failure to reach the Docker engine.
var ErrDockerUnreachable = errors.New("docker engine unreachable")

// dockerClient returns the process-wide Docker API client, after checking
// that the engine answers. The client negotiates the API version down to
// the engine's (1.41 for Engine 20.10; the client supports 1.40 and up).
func dockerClient(ctx context.Context) (*client.Client, error) {
	clientMu.Lock()
	defer clientMu.Unlock()
	if dockerCl != nil {
		return dockerCl, nil
	}
	cl, err := client.New(client.FromEnv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDockerUnreachable, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cl.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		_ = cl.Close()
		return nil, fmt.Errorf("%w at %s: %v\n"+
			"Start the engine (for example `sudo service docker start`, or `sudo dockerd >/tmp/dockerd.log 2>&1 &`),\n"+
			"or point DOCKER_HOST at a running one. Run `go test -short` to skip tests that need Docker.",
			ErrDockerUnreachable, cl.DaemonHost(), err)
	}
	dockerCl = cl
	return cl, nil
}

// CheckDocker reports whether the Docker engine answers, with a message
// that says how to start it when it does not.
func CheckDocker(ctx context.Context) error {
	_, err := dockerClient(ctx)
	return err
}

// APIVersion is the Docker API version negotiated with the engine.
func APIVersion(ctx context.Context) (string, error) {
	cl, err := dockerClient(ctx)
	if err != nil {
		return "", err
	}
	return cl.ClientVersion(), nil
}

// publishedHost is the address at which the test process reaches ports that
// containers publish: TESTCONTAINERS_HOST_OVERRIDE when set, the engine's
// host for a TCP DOCKER_HOST, and 127.0.0.1 for a local socket.
// (testcontainers' own guess assumes that a process with /.dockerenv runs in
// a container next to the engine and picks the default gateway, which is
// wrong on machines where the engine runs in the same environment.)
func publishedHost(daemonHost string) string {
	if h := os.Getenv("TESTCONTAINERS_HOST_OVERRIDE"); h != "" {
		return h
	}
	if u, err := url.Parse(daemonHost); err == nil && (u.Scheme == "tcp" || u.Scheme == "http" || u.Scheme == "https") {
		if h := u.Hostname(); h != "" {
			return h
		}
	}
	return "127.0.0.1"
}

var ownerOnce = sync.OnceValue(func() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), procStart(os.Getpid()))
})

// owner is this process's LabelOwner value.
func owner() string { return ownerOnce() }

// procStart returns the start time (clock ticks since boot) of pid, or "" when
// there is no such process.
func procStart(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The command name (field 2) may contain spaces; fields after it are plain.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return ""
	}
	return f[19] // field 22 overall
}

// ownerDead reports whether the owner label names a process on this host
// that no longer runs. Owners on other hosts are never considered dead.
func ownerDead(label string) bool {
	parts := strings.Split(label, "/")
	if len(parts) != 3 {
		return true // not ours to interpret: an old or foreign format
	}
	host, _ := os.Hostname()
	if parts[0] != host {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil {
		return true
	}
	return procStart(pid) != parts[2]
}

// Sweep removes every labelled container, volume and network left behind by
// processes on this host that no longer run (a test that panicked, timed out
// or was killed). Live clusters, including those of test binaries running
// concurrently, are left alone.
func Sweep(ctx context.Context) error {
	return sweep(ctx, func(labels map[string]string) bool { return ownerDead(labels[LabelOwner]) })
}

// SweepAll removes every container, volume and network carrying the project
// label, whoever created it. Use it from a cleanup command, not from tests
// that may run next to others.
func SweepAll(ctx context.Context) error {
	return sweep(ctx, func(map[string]string) bool { return true })
}

// SweepOwn removes everything this process created: clusters it did not
// close, and the remains of half-started ones.
func SweepOwn(ctx context.Context) error {
	me := owner()
	return sweep(ctx, func(labels map[string]string) bool { return labels[LabelOwner] == me })
}

func sweep(ctx context.Context, match func(map[string]string) bool) error {
	cl, err := dockerClient(ctx)
	if err != nil {
		return err
	}
	return removeLabelled(ctx, cl, client.Filters{}.Add("label", LabelProject+"=1"), match)
}

// removeLabelled removes the containers, then the volumes and networks that
// pass the filter and match. Errors are collected, not fatal.
func removeLabelled(ctx context.Context, cl *client.Client, f client.Filters, match func(map[string]string) bool) error {
	var errs []error
	cs, err := cl.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	// Nodes first, then holders: a node shares its holder's network namespace.
	for _, role := range []string{"node", "holder", ""} {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, c := range cs.Items {
			if c.Labels[LabelRole] != role && !(role == "" && c.Labels[LabelRole] != "node" && c.Labels[LabelRole] != "holder") {
				continue
			}
			if !match(c.Labels) {
				continue
			}
			wg.Add(1)
			go func(id string) {
				defer wg.Done()
				_, err := cl.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
				if err != nil && !cerrdefs.IsNotFound(err) && !strings.Contains(err.Error(), "already in progress") {
					mu.Lock()
					errs = append(errs, fmt.Errorf("remove container %.12s: %w", id, err))
					mu.Unlock()
				}
			}(c.ID)
		}
		wg.Wait()
	}
	vs, err := cl.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		errs = append(errs, fmt.Errorf("list volumes: %w", err))
	} else {
		for _, v := range vs.Items {
			if !match(v.Labels) {
				continue
			}
			if _, err := cl.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true}); err != nil && !cerrdefs.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("remove volume %s: %w", v.Name, err))
			}
		}
	}
	ns, err := cl.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		errs = append(errs, fmt.Errorf("list networks: %w", err))
	} else {
		for _, n := range ns.Items {
			if !match(n.Labels) {
				continue
			}
			if _, err := cl.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("remove network %s: %w", n.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// interrupted is set once CleanupOnInterrupt's handler runs; the process is
// then about to exit.
var interrupted atomic.Bool

// CleanupOnInterrupt installs a handler that, on SIGINT or SIGTERM, removes
// everything this process created (SweepOwn) and exits with 128+signal.
// Containers that a Start running at that moment creates after the sweep are
// left for the next Sweep (their owner is then dead).
// Call it first thing in TestMain or main; the returned function uninstalls it.
func CleanupOnInterrupt() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			interrupted.Store(true)
			slog.Warn("cluster: interrupted; removing this process's containers", "signal", s)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			if err := SweepOwn(ctx); err != nil {
				slog.Error("cluster: cleanup after interrupt", "err", err)
			}
			cancel()
			code := 130
			if s == syscall.SIGTERM {
				code = 143
			}
			os.Exit(code)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
