package scenarios

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftlab/raftlab/chaos"
	"github.com/raftlab/raftlab/system"
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
		"node name":  {func(f *File) { f.Node = map[string]string{"snapshot-treshold": "64"} }, `node setting "snapshot-treshold": unknown`},
		"node value": {func(f *File) { f.Node = map[string]string{"snapshot-interval": "often"} }, "node setting snapshot-interval: "},
		"node sign":  {func(f *File) { f.Node = map[string]string{"apply-timeout": "-1s"} }, "-apply-timeout: -1s must not be negative"},
		"failpoint":  {func(f *File) { f.Failpoints = []StartFailpoint{{Name: "snapshot-persist", Term: "boom"}} }, "failpoints[0] (snapshot-persist)"},
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
	assert.Equal(t, []StartFailpoint{{Name: "bug-read-no-quorum", Term: "on"}}, got.Failpoints, "armed once, not once per reload")
	assert.Contains(t, Needs(got), system.PlantedBugs)

	f.Bug = "bug-nope"
	_, err = f.Build()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `bug "bug-nope"`)
}

// Node settings and start failpoints are data in the file: written by flag
// name, read back on top of the scenario's, and an old file without them
// keeps the scenario's.
func TestFileNodeSettings(t *testing.T) {
	s, _ := Lookup("snapshot-install")
	require.Equal(t, uint64(64), s.Node.SnapshotThreshold)
	f := NewFile(s, 4, nil, nil)
	assert.Equal(t, map[string]string{"snapshot-interval": "250ms", "snapshot-threshold": "64", "snapshot-trailing-logs": "32"}, f.Node)
	got, err := f.Build()
	require.NoError(t, err)
	assert.Equal(t, s.Node, got.Node)

	f.Node = map[string]string{"snapshot-threshold": "10", "election-timeout": "2s"}
	f.Failpoints = []StartFailpoint{{Name: "snapshot-persist", Term: "1*panic"}}
	got, err = f.Build()
	require.NoError(t, err)
	assert.Equal(t, uint64(10), got.Node.SnapshotThreshold)
	assert.Equal(t, 2*time.Second, got.Node.ElectionTimeout)
	assert.Equal(t, uint64(32), got.Node.SnapshotTrailingLogs, "a setting the file does not name is the scenario's")
	assert.Equal(t, f.Failpoints, got.Failpoints)

	// A version-1 file from before node settings existed.
	old := filepath.Join(t.TempDir(), "old.json")
	require.NoError(t, os.WriteFile(old, []byte(`{"version": 1, "scenario": "snapshot-install", "seed": 4, "windows": []}`), 0o644))
	got, _, err = LoadFile(old)
	require.NoError(t, err)
	assert.Equal(t, s.Node, got.Node)
	assert.Empty(t, got.Failpoints)
}
