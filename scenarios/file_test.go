package scenarios

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/cluster"
)

func TestFileRoundTrip(t *testing.T) {
	s, ok := Lookup("leader-reads-partition")
	require.True(t, ok)
	plan := s.Schedule().Plan(42)
	require.Greater(t, len(plan), 3)
	kept := []chaos.Step{plan[1], plan[3]}
	path := filepath.Join(t.TempDir(), "min.json")
	require.NoError(t, WriteFile(path, NewFile(s, 42, kept, []int{1, 3})))

	got, seed, err := LoadFile(path)
	require.NoError(t, err)
	assert.Equal(t, uint64(42), seed)
	assert.Equal(t, kept, got.Steps)
	// The explicit schedule replaces the seed's plan, whatever the seed.
	assert.Equal(t, kept, got.Schedule().Plan(7))
	assert.Equal(t, s.Duration, got.Duration)
}

func TestFileNoWindowsIsNoFaults(t *testing.T) {
	s, _ := Lookup("kill-leader")
	f := NewFile(s, 1, nil, nil)
	got, err := f.Build()
	require.NoError(t, err)
	assert.NotNil(t, got.Steps)
	assert.Empty(t, got.Schedule().Plan(1))
}

func TestFileErrors(t *testing.T) {
	s, _ := Lookup("kill-leader")
	good := func() File {
		return NewFile(s, 5, []chaos.Step{{At: 2 * time.Second, Length: 3 * time.Second, Nemesis: 0, Seed: 9}}, nil)
	}
	for name, tc := range map[string]struct {
		edit func(*File)
		want string
	}{
		"version":       {func(f *File) { f.Version = 9 }, "version 9"},
		"scenario":      {func(f *File) { f.Scenario = "nope" }, `unknown scenario "nope"`},
		"seed":          {func(f *File) { f.Seed = 0 }, "seed"},
		"nemesis index": {func(f *File) { f.Windows[0].NemesisIndex = 7 }, "windows[0]: nemesis_index 7"},
		"nemesis name":  {func(f *File) { f.Windows[0].Nemesis = "pause" }, `windows[0]: nemesis "pause"`},
		"at":            {func(f *File) { f.Windows[0].At = "soon" }, `windows[0]: at "soon"`},
		"late":          {func(f *File) { f.Windows[0].At = "1m" }, "too late"},
		"overlap": {func(f *File) {
			f.Windows = append(f.Windows, f.Windows[0])
		}, "windows[1]: starts at 2s, before the previous window ends"},
		"no windows": {func(f *File) { f.Windows = nil }, `"windows" missing`},
	} {
		t.Run(name, func(t *testing.T) {
			f := good()
			tc.edit(&f)
			_, err := f.Build()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestLoadFileNamesTheLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(path, []byte("{\n  \"version\": 1,\n  \"seed\": \"x\"\n}\n"), 0o644))
	_, _, err := LoadFile(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.json:3:")
}

func TestFileBug(t *testing.T) {
	s, _ := Lookup("long-pause")
	armed := ArmBug(s, "bug-read-no-quorum")
	f := NewFile(armed, 3, nil, nil)
	assert.Equal(t, "bug-read-no-quorum", f.Bug)
	got, err := f.Build()
	require.NoError(t, err)
	assert.Equal(t, "bug-read-no-quorum", got.Bug)
	require.NotNil(t, got.Cluster)
	assert.Contains(t, got.Cluster(cluster.Options{}).ExtraArgs, "-failpoints=bug-read-no-quorum=on")

	f.Bug = "bug-nope"
	_, err = f.Build()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `bug "bug-nope"`)
}
