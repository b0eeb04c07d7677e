// Command raftlab-image builds the raftkv node image offline: it compiles
// cmd/raftkv and cmd/netfault as static binaries and builds a FROM scratch
// image of them through the Docker API (nothing is pulled). The image gets
// its content tag (raftlab/raftkv:<hash>) plus the tags given with -tag; an
// unchanged tree reuses the existing image.
//
//	go run ./cmd/raftlab-image                  # also tags raftlab/raftkv:compose
//	go run ./cmd/raftlab-image -tag my/kv:dev   # other tags
//
// It prints the content tag.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/raftlab/raftlab/cluster"
)

func main() {
	tags := flag.String("tag", cluster.ImageRepo+":compose", "comma-separated extra tags (empty: content tag only)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	var extra []string
	for _, t := range strings.Split(*tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			extra = append(extra, t)
		}
	}
	start := time.Now()
	tag, err := cluster.BuildImage(ctx, extra...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "raftlab-image:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "raftlab-image: %s ready in %s (also tagged %s)\n", tag, time.Since(start).Round(time.Millisecond), strings.Join(extra, ", "))
	fmt.Println(tag)
}
