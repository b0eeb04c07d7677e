package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
)

// ImageSpec describes a FROM scratch image of static binaries for a store
// other than raftkv (see Store): each binary is compiled from a package of
// a Go module inside the lab's tree, then the image is tagged Repo:<content
// hash> and reused while the binaries stay the same.
type ImageSpec struct {
	Repo       string   // e.g. raftlab/etcd
	Binaries   []Binary // compiled in order; the first is the entrypoint
	Entrypoint []string // the image's ENTRYPOINT (default: the first binary)
	// TagPrefix, when set, starts the tag (e.g. "v3.5.4-"): the tag is
	// Repo:TagPrefix<content hash>, so that it names a release.
	TagPrefix string
}

// Binary is one static binary of an image.
type Binary struct {
	Name string // file name in the image root, e.g. "etcd"
	// Dir is the module directory to build in, relative to the lab's
	// module root ("" = the root itself); a nested module keeps its
	// dependencies out of the lab's go.mod.
	Dir string
	Pkg string // package path as `go build` takes it
}

// BuildSpecImage compiles spec's binaries as static Linux binaries
// (CGO_ENABLED=0, -trimpath) and builds, or finds by content hash, their
// image. It returns the tag.
func BuildSpecImage(ctx context.Context, spec ImageSpec) (string, error) {
	if len(spec.Binaries) == 0 {
		return "", fmt.Errorf("image %s: no binaries", spec.Repo)
	}
	root, err := ModuleRoot(ctx)
	if err != nil {
		return "", err
	}
	cl, err := dockerClient(ctx)
	if err != nil {
		return "", err
	}
	start := time.Now()
	var files []imageFile
	for _, b := range spec.Binaries {
		data, err := compileOne(ctx, filepath.Join(root, filepath.FromSlash(b.Dir)), b.Pkg)
		if err != nil {
			return "", err
		}
		files = append(files, imageFile{name: b.Name, data: data})
	}
	compiled := time.Since(start)
	entry := spec.Entrypoint
	if len(entry) == 0 {
		entry = []string{"/" + spec.Binaries[0].Name}
	}
	df := "FROM scratch\nCOPY rootfs/ /\nWORKDIR /data\nEXPOSE 8080 7000\nENTRYPOINT [\"" + strings.Join(entry, `", "`) + "\"]\n"
	buildCtx, sum, err := contextTarWith(df, files)
	if err != nil {
		return "", err
	}
	tag := spec.Repo + ":" + spec.TagPrefix + sum[:12]
	if _, err := cl.ImageInspect(ctx, tag); err == nil {
		slog.Debug("cluster: image up to date", "tag", tag, "compile", compiled.Round(time.Millisecond))
		return tag, nil
	} else if !cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("inspect image %s: %w", tag, err)
	}
	if err := buildFromContext(ctx, cl, buildCtx, []string{tag}, false); err != nil {
		return "", err
	}
	slog.Info("cluster: built image", "tag", tag, "compile", compiled.Round(time.Millisecond),
		"total", time.Since(start).Round(time.Millisecond))
	return tag, nil
}

// compileOne builds one package in dir (a module directory) as a static
// Linux binary and returns it. The module proxy and cache are the go
// command's own: with a warm module cache nothing is downloaded.
func compileOne(ctx context.Context, dir, pkg string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "raftlab-image-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "bin")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH, "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s in %s: %w\n%s", pkg, dir, err, b)
	}
	return os.ReadFile(out)
}
