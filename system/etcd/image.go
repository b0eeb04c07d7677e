package etcd

import (
	"context"
	"sync"

	"github.com/raftlab/raftlab/cluster"
)

// ImageRepo is the repository of the etcd images; tags are the release and
// a content hash (raftlab/etcd:v3.5.4-gofail-0123456789ab).
const ImageRepo = "raftlab/etcd"

// serverModule is the nested module that builds the default etcd server,
// relative to the lab's module root: its go.mod requires
// go.etcd.io/etcd/server/v3, so the lab's own go.mod never does.
const serverModule = "system/etcd/server"

var (
	imageMu   sync.Mutex
	imageTags = map[string]string{} // version → tag, built in this process
)

// BuildImage builds the image of the default release (see BuildRelease).
func BuildImage(ctx context.Context) (string, error) {
	return BuildRelease(ctx, Releases[0])
}

// BuildRelease builds (once per process; by content hash across processes)
// the FROM scratch image of release r's etcd server and this tree's
// netfault, both static. A cold build compiles etcd from the module cache
// (minutes on two cores; the module proxy is asked only when the cache
// lacks a module); a warm one relinks and finds the image by its hash. A
// gofail release first prepares its failpoint-enabled source (gofail.go).
func BuildRelease(ctx context.Context, r Release) (string, error) {
	imageMu.Lock()
	defer imageMu.Unlock()
	if tag, ok := imageTags[r.Version]; ok {
		return tag, nil
	}
	etcdBin := cluster.Binary{Name: "etcd", Dir: r.Module, Pkg: serverPath}
	prefix := r.Version + "-"
	if r.Gofail {
		root, err := cluster.ModuleRoot(ctx)
		if err != nil {
			return "", err
		}
		if err := prepareGofail(ctx, root, r); err != nil {
			return "", err
		}
		// The module's own main: etcd's plus --raftlab-failpoints.
		etcdBin.Pkg = "."
		prefix = r.Version + "-gofail-"
	}
	tag, err := cluster.BuildSpecImage(ctx, cluster.ImageSpec{
		Repo:      ImageRepo,
		TagPrefix: prefix,
		Binaries:  []cluster.Binary{etcdBin, {Name: "netfault", Pkg: "./cmd/netfault"}},
	})
	if err != nil {
		return "", err
	}
	imageTags[r.Version] = tag
	return tag, nil
}
