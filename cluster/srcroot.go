package cluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// ModulePath is the lab's Go module.
const ModulePath = "github.com/raftlab/raftlab"

// EnvSource names a raftlab tree to build images from, wherever chaoslab
// runs.
const EnvSource = "RAFTLAB_SRC"

// SourceRoot finds the raftlab tree the lab builds its images from, so that
// chaoslab works from any directory (a user's own project, /tmp):
//
//  1. $RAFTLAB_SRC, when set;
//  2. the Go module around the working directory, when it is raftlab;
//  3. the tree this binary was compiled from (its source file paths, kept
//     unless it was built with -trimpath), when it still exists.
//
// Otherwise it says what to pass.
func SourceRoot(ctx context.Context) (string, error) {
	if d := os.Getenv(EnvSource); d != "" {
		if !isRaftlab(d) {
			return "", fmt.Errorf("%s=%s is not a raftlab source tree (no go.mod of %s)", EnvSource, d, ModulePath)
		}
		return filepath.Abs(d)
	}
	if out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output(); err == nil {
		if gomod := strings.TrimSpace(string(out)); gomod != "" && gomod != os.DevNull && isRaftlab(filepath.Dir(gomod)) {
			return filepath.Dir(gomod), nil
		}
	} else if errors.Is(err, exec.ErrNotFound) {
		return "", errors.New("the go command is not on PATH: the lab compiles its node images with it")
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if d := filepath.Dir(filepath.Dir(file)); isRaftlab(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("cannot find the raftlab source tree to build the node images from: run inside it, "+
		"or set %s=/path/to/raftlab (or build chaoslab without -trimpath from a checkout that stays in place)", EnvSource)
}

// isRaftlab reports whether dir holds the go.mod of the lab's module.
func isRaftlab(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "module ") {
			return strings.TrimSpace(strings.TrimPrefix(line, "module ")) == ModulePath
		}
	}
	return false
}
