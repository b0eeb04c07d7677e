package cluster

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
)

// TestFigures measures what the closing note of the cluster issue reports:
// the first image build (cold Go build cache, fresh Docker build), the time
// to a ready three-node cluster with the image cached, and resident memory
// per node container. It takes minutes, so it runs only when asked:
//
//	RAFTLAB_FIGURES=1 [RAFTLAB_FIGURES_RUNS=5] [RAFTLAB_FIGURES_BUILD=0] go test -run TestFigures -v ./cluster
func TestFigures(t *testing.T) {
	if os.Getenv("RAFTLAB_FIGURES") == "" {
		t.Skip("set RAFTLAB_FIGURES=1 to measure")
	}
	needDocker(t)
	runs := 5
	if v, err := strconv.Atoi(os.Getenv("RAFTLAB_FIGURES_RUNS")); err == nil && v > 0 {
		runs = v
	}
	ctx := ctxFor(t, 60*time.Minute)
	cl, err := dockerClient(ctx)
	require.NoError(t, err)

	// First build: a private, empty Go build cache and a Docker build
	// without cache, under a throwaway tag.
	var compile, build []time.Duration
	buildRuns := max(1, runs/2)
	if os.Getenv("RAFTLAB_FIGURES_BUILD") == "0" {
		buildRuns = 0 // only the cluster figures
	}
	for i := range buildRuns {
		root, err := ModuleRoot(ctx)
		require.NoError(t, err)
		t0 := time.Now()
		files, err := compileBinaries(ctx, root, labPackages, []string{"GOCACHE=" + t.TempDir()})
		require.NoError(t, err)
		compile = append(compile, time.Since(t0))
		bctx, _, err := contextTar(files)
		require.NoError(t, err)
		tag := fmt.Sprintf("raftlab/raftkv-figures:%d-%d", os.Getpid(), i)
		t0 = time.Now()
		require.NoError(t, buildFromContext(ctx, cl, bctx, []string{tag}, true))
		build = append(build, time.Since(t0))
		_, _ = cl.ImageRemove(ctx, tag, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	}
	tag, err := EnsureImage(ctx)
	require.NoError(t, err)

	var ready []time.Duration
	var rss, vmrss, mapped []uint64
	for range runs {
		t0 := time.Now()
		c, err := Start(ctx, testOptions("figures").FastRaft())
		require.NoError(t, err)
		ready = append(ready, time.Since(t0))
		leader, err := c.Leader(ctx)
		require.NoError(t, err)
		for i := range 200 {
			cl, err := leader.labClient(ctx)
			require.NoError(t, err)
			r := cl.Set(ctx, "k"+strconv.Itoa(i%20), "v"+strconv.Itoa(i))
			require.Equal(t, api.OK, r.Outcome, "%v", r.Err)
		}
		for _, n := range c.Nodes() {
			m, err := n.Memory(ctx)
			require.NoError(t, err)
			rss, vmrss, mapped = append(rss, m.RSS), append(vmrss, m.VmRSS), append(mapped, m.MappedFile)
		}
		require.NoError(t, c.Close(ctx))
	}
	t.Logf("image %s", tag)
	if buildRuns > 0 {
		t.Logf("first image build: go build (cold cache) median %v of %v; docker build (no cache) median %v of %v",
			median(compile), compile, median(build), build)
	}
	t.Logf("ready three-node cluster, image cached: median %v of %v", median(ready), ready)
	t.Logf("per node container after 200 writes: process VmRSS median %.1f MiB (min %.1f, max %.1f); cgroup rss %.1f MiB; mapped files %.1f MiB",
		mib(medianU(vmrss)), mib(slices.Min(vmrss)), mib(slices.Max(vmrss)), mib(medianU(rss)), mib(medianU(mapped)))
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2].Round(10 * time.Millisecond)
}

func medianU(v []uint64) uint64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
