package etcd

import (
	"fmt"
	"strings"
)

// Release is an etcd release the lab can build: each is a nested Go module
// of its own under system/etcd (its go.mod pins the server), so the lab's
// module never links any of them and two releases never share a build.
type Release struct {
	Version string // "v3.5.4"
	// Module is the nested module's directory, relative to the lab's root.
	Module string
	// Gofail: the module builds its own main (main.go, the same in every
	// such module) against a copy of the server with etcd's gofail
	// failpoints enabled (see gofail.go), so failpoints can be armed at
	// start (Store.Failpoints). The default release is a plain build.
	Gofail bool
	// Note says why the lab has the release.
	Note string
}

// Releases are the etcd releases the lab builds, the default first.
var Releases = []Release{
	{Version: Version, Module: serverModule, Note: "the default: the current v3.6"},
	{Version: "v3.5.4", Module: "system/etcd/server-v3.5.4", Gofail: true,
		Note: "the last v3.5 release with etcd#14370 (a single member acknowledges a write before its WAL holds it)"},
	{Version: "v3.5.5", Module: "system/etcd/server-v3.5.5", Gofail: true,
		Note: "the release that fixed etcd#14370"},
}

// LookupRelease returns the release of version ("" = the default).
func LookupRelease(version string) (Release, error) {
	if version == "" {
		return Releases[0], nil
	}
	for _, r := range Releases {
		if r.Version == version {
			return r, nil
		}
	}
	return Release{}, fmt.Errorf("etcd %s is not built by the lab (known: %s; a release is a nested module under system/etcd)",
		version, strings.Join(ReleaseVersions(), ", "))
}

// ReleaseVersions are the versions of Releases.
func ReleaseVersions() []string {
	var out []string
	for _, r := range Releases {
		out = append(out, r.Version)
	}
	return out
}
