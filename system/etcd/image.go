package etcd

import (
	"context"
	"sync"

	"github.com/raftlab/raftlab/cluster"
)

// ImageRepo is the repository of the etcd image; tags are content hashes.
const ImageRepo = "raftlab/etcd"

// serverModule is the nested module that builds the etcd server, relative
// to the lab's module root: its go.mod requires go.etcd.io/etcd/server/v3,
// so the lab's own go.mod never does.
const serverModule = "system/etcd/server"

var (
	imageMu  sync.Mutex
	imageTag string
)

// BuildImage builds (once per process; by content hash across processes)
// the FROM scratch image of the etcd server and this tree's netfault,
// both static. A cold build compiles etcd from the module cache (about two
// minutes on two cores; the module proxy is asked only when the cache
// lacks a module); a warm one relinks and finds the image by its hash.
func BuildImage(ctx context.Context) (string, error) {
	imageMu.Lock()
	defer imageMu.Unlock()
	if imageTag != "" {
		return imageTag, nil
	}
	tag, err := cluster.BuildSpecImage(ctx, cluster.ImageSpec{
		Repo: ImageRepo,
		Binaries: []cluster.Binary{
			{Name: "etcd", Dir: serverModule, Pkg: "go.etcd.io/etcd/server/v3"},
			{Name: "netfault", Pkg: "./cmd/netfault"},
		},
	})
	if err != nil {
		return "", err
	}
	imageTag = tag
	return tag, nil
}
