package etcd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The gofail build, as etcd's own Makefile does it (gofail-enable): a copy
// of the server module's source is rewritten by gofail so that each
// `// gofail: var NAME struct{}` comment becomes a failpoint, and the
// release's module builds against the copy through its go.mod's replace
// directive (./gofail-src, not committed: see .gitignore).
const (
	gofailTool  = "go.etcd.io/gofail@v0.2.0"
	serverPath  = "go.etcd.io/etcd/server/v3"
	gofailDir   = "gofail-src"
	gofailStamp = ".raftlab-gofail"
)

// gofailPackages are the server's packages whose failpoints are enabled:
// the raft loop (raftBeforeSave, raftAfterSave, ...) and its storage.
var gofailPackages = []string{"etcdserver"}

// prepareGofail makes <module>/gofail-src the failpoint-enabled source of
// the release's server, unless it already is (its stamp names the release
// and the gofail version). The module proxy is asked only when the module
// cache lacks the server or gofail.
func prepareGofail(ctx context.Context, root string, r Release) error {
	modDir := filepath.Join(root, filepath.FromSlash(r.Module))
	dst := filepath.Join(modDir, gofailDir)
	want := serverPath + "@" + r.Version + " " + gofailTool + " " + strings.Join(gofailPackages, ",") + "\n"
	if b, err := os.ReadFile(filepath.Join(dst, gofailStamp)); err == nil && string(b) == want {
		return nil
	}
	src, err := moduleSource(ctx, serverPath+"@"+r.Version)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(modDir, ".gofail-src-")
	if err != nil {
		return fmt.Errorf("gofail build of etcd %s: %w", r.Version, err)
	}
	defer os.RemoveAll(tmp)
	// os.CopyFS writes files 0o666 (plus the source's execute bits): the
	// copy is writable, unlike the module cache's.
	if err := os.CopyFS(tmp, os.DirFS(src)); err != nil {
		return fmt.Errorf("gofail build of etcd %s: copy %s: %w", r.Version, src, err)
	}
	args := []string{"run", gofailTool, "enable"}
	for _, p := range gofailPackages {
		args = append(args, filepath.Join(tmp, p))
	}
	if _, err := goCmd(ctx, tmp, args...); err != nil {
		return fmt.Errorf("gofail build of etcd %s: %w", r.Version, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, gofailStamp), []byte(want), 0o644); err != nil {
		return fmt.Errorf("gofail build of etcd %s: %w", r.Version, err)
	}
	if err := os.RemoveAll(dst); err != nil {
		return fmt.Errorf("gofail build of etcd %s: %w", r.Version, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		// Another process may have put its copy there first.
		if b, rerr := os.ReadFile(filepath.Join(dst, gofailStamp)); rerr == nil && string(b) == want {
			return nil
		}
		return fmt.Errorf("gofail build of etcd %s: %w", r.Version, err)
	}
	return nil
}

// moduleSource returns the module cache's directory of mod (path@version),
// downloading it if needed.
func moduleSource(ctx context.Context, mod string) (string, error) {
	// Outside any module, so that no go.mod's replace applies.
	out, err := goCmd(ctx, os.TempDir(), "mod", "download", "-json", mod)
	if err != nil {
		return "", err
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", fmt.Errorf("go mod download %s: %w", mod, err)
	}
	if m.Error != "" || m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %s", mod, m.Error)
	}
	return m.Dir, nil
}

// goCmd runs the go command in dir and returns its standard output.
func goCmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}
