package cluster

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// ImageRepo is the repository of the node image; tags are content hashes.
const ImageRepo = "raftlab/raftkv"

// LabelImage marks images built by BuildImage. Sweeps leave images alone:
// they are the cache that makes the next start fast.
const LabelImage = "raftlab.image"

// dockerfile builds the node image from nothing but the two static binaries,
// so no base image is ever pulled.
const dockerfile = `FROM scratch
COPY rootfs/ /
WORKDIR /data
EXPOSE 8080 7000
ENTRYPOINT ["/raftkv"]
`

// Binaries of the lab image, as paths of the module's main packages: the
// store and the fault helper the holders run.
var labPackages = []string{"./cmd/raftkv", "./cmd/netfault"}

// nodePackage is the only binary of an image built from another checkout:
// the store. netfault always comes from this tree (the lab image).
const nodePackage = "./cmd/raftkv"

var (
	imageMu  sync.Mutex
	imageTag string
)

// EnsureImage returns the tag of the lab image built from the current tree,
// building it once per process (see BuildImage).
func EnsureImage(ctx context.Context) (string, error) {
	imageMu.Lock()
	defer imageMu.Unlock()
	if imageTag != "" {
		return imageTag, nil
	}
	tag, err := BuildImage(ctx)
	if err != nil {
		return "", err
	}
	imageTag = tag
	return tag, nil
}

// BuildImage compiles cmd/raftkv and cmd/netfault as static binaries
// (CGO_ENABLED=0, -trimpath, -tags failpoints) from the module that contains the working
// directory and builds a FROM scratch image of them through the Docker API.
// The tag is ImageRepo:<first 12 hex digits of the SHA-256 of the build
// context>, so an unchanged tree reuses the image and a changed one rebuilds.
// extraTags (e.g. "raftlab/raftkv:compose") are added to the image as well.
// It returns the content tag.
func BuildImage(ctx context.Context, extraTags ...string) (string, error) {
	root, err := ModuleRoot(ctx)
	if err != nil {
		return "", err
	}
	return buildImage(ctx, root, labPackages, extraTags)
}

// NodeImage builds an image of the store from another checkout: src must be
// the root of a raftlab source tree (a Go module with cmd/raftkv), for
// example a branch under review. Only cmd/raftkv is compiled, in src with
// src's go.mod; the image is content-tagged like BuildImage's and holds the
// store alone, since the holders run netfault from the lab image.
func NodeImage(ctx context.Context, src string) (string, error) {
	root, err := nodeSource(src)
	if err != nil {
		return "", err
	}
	return buildImage(ctx, root, []string{nodePackage}, nil)
}

// CheckNodeSrc reports what is wrong with src as Options.NodeSrc (it must
// be a directory with go.mod and cmd/raftkv), without building anything.
func CheckNodeSrc(src string) error {
	_, err := nodeSource(src)
	return err
}

// nodeSource checks that src looks like a raftlab checkout and returns its
// absolute path.
func nodeSource(src string) (string, error) {
	abs, err := filepath.Abs(src)
	if err != nil {
		return "", fmt.Errorf("node source %s: %w", src, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("node source %s: not a directory", src)
	}
	if fi, err := os.Stat(filepath.Join(abs, filepath.FromSlash(nodePackage))); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("node source %s has no %s: want the root of a raftlab checkout", src, strings.TrimPrefix(nodePackage, "./"))
	}
	if _, err := os.Stat(filepath.Join(abs, "go.mod")); err != nil {
		return "", fmt.Errorf("node source %s has no go.mod: want the root of a raftlab checkout", src)
	}
	return abs, nil
}

// buildImage compiles pkgs of the module at root and builds (or reuses) the
// content-tagged image of them.
func buildImage(ctx context.Context, root string, pkgs, extraTags []string) (string, error) {
	cl, err := dockerClient(ctx)
	if err != nil {
		return "", err
	}
	start := time.Now()
	files, err := compileBinaries(ctx, root, pkgs, nil)
	if err != nil {
		return "", err
	}
	compiled := time.Since(start)
	buildCtx, sum, err := contextTar(files)
	if err != nil {
		return "", err
	}
	tag := ImageRepo + ":" + sum[:12]
	if _, err := cl.ImageInspect(ctx, tag); err == nil {
		slog.Debug("cluster: image up to date", "tag", tag, "src", root, "compile", compiled.Round(time.Millisecond))
		return tag, tagImage(ctx, cl, tag, extraTags)
	} else if !cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("inspect image %s: %w", tag, err)
	}
	if err := buildFromContext(ctx, cl, buildCtx, append([]string{tag}, extraTags...), false); err != nil {
		return "", err
	}
	slog.Info("cluster: built image", "tag", tag, "src", root, "compile", compiled.Round(time.Millisecond),
		"total", time.Since(start).Round(time.Millisecond))
	return tag, nil
}

// buildFromContext runs a (legacy builder) image build of an in-memory context.
func buildFromContext(ctx context.Context, cl *client.Client, buildCtx []byte, tags []string, noCache bool) error {
	res, err := cl.ImageBuild(ctx, bytes.NewReader(buildCtx), client.ImageBuildOptions{
		Tags:        tags,
		Labels:      map[string]string{LabelImage: "1"},
		Remove:      true,
		ForceRemove: true,
		NoCache:     noCache,
		Dockerfile:  "Dockerfile",
	})
	if err != nil {
		return fmt.Errorf("build image %s: %w", tags[0], err)
	}
	defer res.Body.Close()
	if err := readBuildStream(res.Body); err != nil {
		return fmt.Errorf("build image %s: %w", tags[0], err)
	}
	return nil
}

func tagImage(ctx context.Context, cl *client.Client, tag string, extra []string) error {
	for _, t := range extra {
		if _, err := cl.ImageTag(ctx, client.ImageTagOptions{Source: tag, Target: t}); err != nil {
			return fmt.Errorf("tag %s as %s: %w", tag, t, err)
		}
	}
	return nil
}

// readBuildStream drains the JSON message stream of a build and returns the
// first error it reports.
func readBuildStream(r io.Reader) error {
	dec := json.NewDecoder(r)
	var last []string
	for {
		var m struct {
			Stream      string `json:"stream"`
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if m.Stream != "" {
			last = append(last, strings.TrimSpace(m.Stream))
			if len(last) > 10 {
				last = last[1:]
			}
		}
		if m.Error != "" {
			return fmt.Errorf("%s (last output: %s)", m.Error, strings.Join(last, " | "))
		}
	}
}

// ModuleRoot returns the root of the raftlab source tree the images are
// built from (see SourceRoot).
func ModuleRoot(ctx context.Context) (string, error) { return SourceRoot(ctx) }

type imageFile struct {
	name string // path in the image, without the leading slash
	data []byte
}

// compileBinaries builds pkgs of the module at root as static Linux
// binaries. env is added to the go command's environment (the figures test
// passes a private GOCACHE to measure cold builds).
func compileBinaries(ctx context.Context, root string, pkgs, env []string) ([]imageFile, error) {
	dir, err := os.MkdirTemp("", "raftlab-image-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// The lab's image is the failpoint build: failpoints and planted bugs can
	// be armed with raftkv -failpoints or PUT /failpoints/{name} (DESIGN.md).
	args := append([]string{"build", "-tags=failpoints", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", dir + string(filepath.Separator)}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	// The daemon's architecture is assumed to be ours (no emulation here).
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	cmd.Env = append(cmd.Env, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s in %s: %w\n%s", strings.Join(pkgs, " "), root, err, out)
	}
	var files []imageFile
	for _, p := range pkgs {
		name := filepath.Base(p)
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		files = append(files, imageFile{name: name, data: b})
	}
	return files, nil
}

// contextTar builds the in-memory build context and its content hash.
// Headers carry fixed times and owners, so the hash depends on content only.
func contextTar(files []imageFile) ([]byte, string, error) {
	return contextTarWith(dockerfile, files)
}

// contextTarWith is contextTar with another Dockerfile.
func contextTarWith(dockerfile string, files []imageFile) ([]byte, string, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	h := sha256.New()
	epoch := time.Unix(0, 0)
	add := func(hdr *tar.Header, data []byte) error {
		hdr.ModTime, hdr.Format = epoch, tar.FormatPAX
		fmt.Fprintf(h, "%s %o %d\n", hdr.Name, hdr.Mode, len(data))
		h.Write(data)
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := add(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))}, []byte(dockerfile)); err != nil {
		return nil, "", err
	}
	for _, d := range []struct {
		name string
		mode int64
	}{{"rootfs/", 0o755}, {"rootfs/data/", 0o755}, {"rootfs/tmp/", 0o1777}} {
		if err := add(&tar.Header{Name: d.name, Mode: d.mode, Typeflag: tar.TypeDir}, nil); err != nil {
			return nil, "", err
		}
	}
	for _, f := range files {
		if err := add(&tar.Header{Name: "rootfs/" + f.name, Mode: 0o755, Size: int64(len(f.data))}, f.data); err != nil {
			return nil, "", err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), hex.EncodeToString(h.Sum(nil)), nil
}
