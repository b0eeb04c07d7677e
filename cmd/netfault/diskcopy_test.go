package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/raftlab/raftlab/fault"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// save keeps a copy, restore puts exactly that copy back (later files gone,
// earlier contents back), remove deletes; the other directory is untouched.
func TestDiskSaveRestoreRemove(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, s string) {
		p := filepath.Join(dir, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
	}
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return string(b)
	}
	write("raft/store/000001.vlog", "old log")
	write("raft/snapshots/1-10/state.bin", "snap")
	write("kv/000001.vlog", "kv")

	out, err := disk([]string{"save", "-dir", dir, "-path", "raft", "-copy", "c1"})
	require.NoError(t, err)
	assert.Equal(t, fault.DirChange{Op: "save", Path: "raft", Copy: "c1", Files: 2, Bytes: 11}, out)

	write("raft/store/000001.vlog", "newer log")
	write("raft/store/000002.vlog", "newest")
	out, err = disk([]string{"restore", "-dir", dir, "-path", "raft", "-copy", "c1"})
	require.NoError(t, err)
	assert.Equal(t, 2, out.(fault.DirChange).Files)
	assert.Equal(t, "old log", read("raft/store/000001.vlog"))
	assert.NoFileExists(t, filepath.Join(dir, "raft/store/000002.vlog"))
	assert.Equal(t, "snap", read("raft/snapshots/1-10/state.bin"))

	out, err = disk([]string{"remove", "-dir", dir, "-path", "raft"})
	require.NoError(t, err)
	assert.Equal(t, fault.DirChange{Op: "remove", Path: "raft", Files: 2, Bytes: 11}, out)
	assert.NoDirExists(t, filepath.Join(dir, "raft"))
	assert.Equal(t, "kv", read("kv/000001.vlog"), "the other directory is untouched")

	// The copy outlives the removal and can be put back again.
	_, err = disk([]string{"restore", "-dir", dir, "-path", "raft", "-copy", "c1"})
	require.NoError(t, err)
	assert.Equal(t, "old log", read("raft/store/000001.vlog"))
}

func TestDiskCopyRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "raft"), 0o755))
	for _, args := range [][]string{
		{"save", "-dir", dir, "-path", "", "-copy", "c"},
		{"save", "-dir", dir, "-path", "../etc", "-copy", "c"},
		{"save", "-dir", dir, "-path", "/etc", "-copy", "c"},
		{"save", "-dir", dir, "-path", ".lab-copies", "-copy", "c"},
		{"save", "-dir", dir, "-path", "raft", "-copy", ""},
		{"save", "-dir", dir, "-path", "raft", "-copy", "a/b"},
		{"restore", "-dir", dir, "-path", "raft", "-copy", "never-saved"},
		{"remove", "-dir", dir, "-path", "kv"},
	} {
		_, err := disk(args)
		assert.Error(t, err, "%v", args)
	}
	assert.DirExists(t, filepath.Join(dir, "raft"), "a refused restore leaves the directory alone")
}
