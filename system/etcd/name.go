package etcd

import (
	"fmt"
	"sort"
	"strings"
)

// Variants are named sets of gofail failpoints armed when a member starts
// (Store.Failpoints), for a gofail release: etcd@v3.5.4+slow-wal.
//
// slow-wal: every WAL save of the raft loop waits 100 ms first, as on a
// disk whose writes stall. Both the save etcd v3.5.4 does after handing
// committed entries to the apply loop (raftBeforeSave) and the one etcd
// v3.5.5 does before it for a single member (raftBeforeSaveWaitWalSync,
// the fix of etcd#14370) wait the same, so two releases see the same slow
// disk. Without it a SIGKILL has to land in the microseconds between an
// acknowledgement and the write(2) of the WAL (the page cache keeps what
// was written when a process is killed).
var Variants = map[string]string{
	"slow-wal": "raftBeforeSave=sleep(100);raftBeforeSaveWaitWalSync=sleep(100)",
}

// ParseName reads a system name: "etcd", "etcd@VERSION" (a release of
// Releases) or "etcd@VERSION+VARIANT" (a variant of Variants, on a gofail
// release). It does not check that the name starts with "etcd".
func ParseName(name string) (System, error) {
	rest, variant, _ := strings.Cut(name, "+")
	_, version, _ := strings.Cut(rest, "@")
	s := System{Version: version, Variant: variant}
	if strings.Contains(rest, "@") && version == "" {
		return System{}, fmt.Errorf("%q: want etcd@VERSION (known: %s)", name, strings.Join(ReleaseVersions(), ", "))
	}
	if version == Version {
		s.Version = "" // the default has one name, "etcd"
	}
	r, err := LookupRelease(s.Version)
	if err != nil {
		return System{}, err
	}
	if variant != "" || strings.HasSuffix(name, "+") {
		if _, ok := Variants[variant]; !ok {
			return System{}, fmt.Errorf("%q: unknown variant %q (known: %s)", name, variant, strings.Join(variantNames(), ", "))
		}
		if !r.Gofail {
			return System{}, fmt.Errorf("%q: variant %s arms gofail failpoints, and etcd %s is built without them (gofail releases: %s)",
				name, variant, r.Version, strings.Join(gofailVersions(), ", "))
		}
	}
	return s, nil
}

// store is the cluster.Store of s.
func (s System) store() (Store, error) {
	r, err := LookupRelease(s.Version)
	if err != nil {
		return Store{}, err
	}
	st := Store{Image: s.Image, Release: r}
	if s.Variant != "" {
		fp, ok := Variants[s.Variant]
		if !ok || !r.Gofail {
			return Store{}, fmt.Errorf("etcd %s: no variant %q", r.Version, s.Variant)
		}
		st.Failpoints = fp
	}
	return st, nil
}

func variantNames() []string {
	var out []string
	for n := range Variants {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func gofailVersions() []string {
	var out []string
	for _, r := range Releases {
		if r.Gofail {
			out = append(out, r.Version)
		}
	}
	return out
}
