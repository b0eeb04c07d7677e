package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/raftlab/raftlab/fault"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiskTruncateCutsTheNewestFileNeverBelowKeep(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000001.vlog"), make([]byte, 100), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000002.vlog"), make([]byte, 100), 0o644))
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "000001.vlog"), old, old))

	out, err := disk([]string{"truncate", "-dir", dir, "-glob", "*.vlog", "-bytes", "30"})
	require.NoError(t, err)
	ch := out.(fault.DiskChange)
	assert.Equal(t, filepath.Join(dir, "000002.vlog"), ch.File)
	assert.Equal(t, int64(70), ch.NewSize)

	out, err = disk([]string{"truncate", "-dir", dir, "-glob", "*.vlog", "-bytes", "1000", "-keep", "50"})
	require.NoError(t, err)
	assert.Equal(t, int64(50), out.(fault.DiskChange).NewSize)
	out, err = disk([]string{"truncate", "-dir", dir, "-glob", "*.vlog", "-bytes", "1000", "-keep-ratio", "0.8"})
	require.NoError(t, err)
	assert.Equal(t, int64(40), out.(fault.DiskChange).NewSize, "keeps 80% of the file")
	st, err := os.Stat(filepath.Join(dir, "000002.vlog"))
	require.NoError(t, err)
	assert.Equal(t, int64(40), st.Size())
	st, err = os.Stat(filepath.Join(dir, "000001.vlog"))
	require.NoError(t, err)
	assert.Equal(t, int64(100), st.Size(), "older file untouched")
}

// TestDiskWrittenPartOfAPreallocatedFile: with -written, a file's end is
// its last non-zero byte (etcd's WAL segments are preallocated zeros):
// truncate zeroes the cut bytes and keeps the file's size, bitflip flips
// only written bytes.
func TestDiskWrittenPartOfAPreallocatedFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "0.wal")
	data := append(bytes.Repeat([]byte{0x5A}, 100), make([]byte, 900)...)
	require.NoError(t, os.WriteFile(f, data, 0o644))

	out, err := disk([]string{"bitflip", "-dir", dir, "-glob", "*.wal", "-written", "-bits", "20", "-seed", "3"})
	require.NoError(t, err)
	ch := out.(fault.DiskChange)
	assert.Equal(t, int64(100), ch.Size, "the written part")
	for _, off := range ch.Flipped {
		assert.Less(t, off, int64(100), "only written bytes are flipped")
	}
	require.NoError(t, os.WriteFile(f, data, 0o644))

	out, err = disk([]string{"truncate", "-dir", dir, "-glob", "*.wal", "-written", "-bytes", "30", "-keep-ratio", "0.5"})
	require.NoError(t, err)
	ch = out.(fault.DiskChange)
	assert.Equal(t, int64(100), ch.Size)
	assert.Equal(t, int64(70), ch.NewSize)
	assert.True(t, ch.Written)
	assert.Contains(t, ch.String(), "100 → 70 written bytes")
	got, err := os.ReadFile(f)
	require.NoError(t, err)
	assert.Len(t, got, 1000, "a preallocated file keeps its size")
	assert.Equal(t, data[:70], got[:70])
	assert.Equal(t, make([]byte, 930), got[70:], "the cut tail reads back as zeros")

	// keep-ratio is of the written part: never below half of it.
	out, err = disk([]string{"truncate", "-dir", dir, "-glob", "*.wal", "-written", "-bytes", "1000", "-keep-ratio", "0.5"})
	require.NoError(t, err)
	assert.Equal(t, int64(35), out.(fault.DiskChange).NewSize)
}

func TestDiskBitflipChangesExactlyTheReportedBytesAfterKeep(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "state.bin")
	orig := bytes.Repeat([]byte{0xAA}, 64)
	require.NoError(t, os.WriteFile(f, orig, 0o644))
	out, err := disk([]string{"bitflip", "-dir", dir, "-glob", "state.bin", "-bits", "1", "-seed", "7", "-keep", "32"})
	require.NoError(t, err)
	ch := out.(fault.DiskChange)
	require.Len(t, ch.Flipped, 1)
	got, err := os.ReadFile(f)
	require.NoError(t, err)
	for i := range got {
		if int64(i) == ch.Flipped[0] {
			assert.GreaterOrEqual(t, int64(i), int64(32))
			assert.NotEqual(t, orig[i], got[i])
		} else {
			assert.Equal(t, orig[i], got[i], "byte %d", i)
		}
	}
}

func TestDiskRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	_, err := disk([]string{"truncate", "-dir", dir, "-glob", "*.vlog"})
	assert.ErrorContains(t, err, "no file matches")
	_, err = disk([]string{"shred", "-dir", dir, "-glob", "x"})
	assert.Error(t, err)
	_, err = disk([]string{"truncate", "-dir", dir})
	assert.ErrorContains(t, err, "-glob is required")
}
