package cluster

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
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

// Binaries baked into the image, as paths of the module's main packages.
var imagePackages = []string{"./cmd/raftkv", "./cmd/netfault"}

// buildEnv is added to the go build environment (tests measure cold builds
// with a private GOCACHE).
var buildEnv []string

var (
	imageMu  sync.Mutex
	imageTag string
)

// EnsureImage returns the tag of a node image built from the current tree,
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
	cl, err := dockerClient(ctx)
	if err != nil {
		return "", err
	}
	start := time.Now()
	files, err := compileBinaries(ctx)
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
		slog.Debug("cluster: image up to date", "tag", tag, "compile", compiled.Round(time.Millisecond))
		return tag, tagImage(ctx, cl, tag, extraTags)
	} else if !cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("inspect image %s: %w", tag, err)
	}
	if err := buildFromContext(ctx, cl, buildCtx, append([]string{tag}, extraTags...), false); err != nil {
		return "", err
	}
	slog.Info("cluster: built image", "tag", tag, "compile", compiled.Round(time.Millisecond),
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

// ModuleRoot returns the directory of the main module's go.mod.
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module: run from the raftlab tree")
	}
	return filepath.Dir(gomod), nil
}

type imageFile struct {
	name string // path in the image, without the leading slash
	data []byte
}

func compileBinaries(ctx context.Context) ([]imageFile, error) {
	root, err := ModuleRoot(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "raftlab-image-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// The lab's image is the failpoint build: failpoints and planted bugs can
	// be armed with raftkv -failpoints or PUT /failpoints/{name} (DESIGN.md).
	args := append([]string{"build", "-tags=failpoints", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", dir + string(filepath.Separator)}, imagePackages...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	// The daemon's architecture is assumed to be ours (no emulation here).
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	cmd.Env = append(cmd.Env, buildEnv...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s: %w\n%s", strings.Join(imagePackages, " "), err, out)
	}
	var files []imageFile
	for _, p := range imagePackages {
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
