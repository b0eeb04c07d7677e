package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/api"
	"github.com/raftlab/raftlab/fault"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// A panic failpoint ends the real process at exactly that point: armed after
// the apply and before the answer, the client gets no answer, the process
// exits 2 naming the point, and the write is there after a restart.
func TestPanicFailpointCrashesTheProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the failpoint binary")
	}
	bin := filepath.Join(t.TempDir(), "raftkv")
	out, err := exec.Command("go", "build", "-tags", "failpoints", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	dir := t.TempDir()
	httpAddr := freeAddr(t)
	args := []string{"-id=solo", "-http=" + httpAddr, "-raft=" + freeAddr(t),
		"-datadir=" + filepath.Join(dir, "data"), "-raftdir=" + filepath.Join(dir, "raft"),
		"-heartbeat-timeout=200ms", "-election-timeout=200ms", "-leader-lease-timeout=100ms"}
	start := func(extra ...string) (*exec.Cmd, *bytes.Buffer) {
		var stderr bytes.Buffer
		cmd := exec.Command(bin, append(args, extra...)...)
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd, &stderr
	}
	ctx := context.Background()
	c := api.NewClient(httpAddr, api.WithTimeout(3*time.Second))
	ready := func() {
		deadline := time.Now().Add(15 * time.Second)
		for c.Ready(ctx) != nil {
			require.True(t, time.Now().Before(deadline), "node never ready")
			time.Sleep(20 * time.Millisecond) // poll interval
		}
	}

	cmd, stderr := start("-failpoints=" + fault.PointApplyBeforeAnswer + "=1*panic")
	ready()
	r := c.Set(ctx, "k", "v")
	assert.NotEqual(t, api.OK, r.Outcome, "no answer: the process died before answering")
	err = cmd.Wait()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "process ended: %v", err)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, stderr.String(), "panic: failpoint "+fault.PointApplyBeforeAnswer)

	start()
	ready()
	g := c.Get(ctx, "k", api.ReadLinearizable)
	require.Equal(t, api.OK, g.Outcome, "%v", g.Err)
	require.NotNil(t, g.Value, "the write was committed before the crash")
	assert.Equal(t, "v", *g.Value)
}
