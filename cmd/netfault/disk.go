package main

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// disk damages one file of a stopped node's data volume, as a failing or
// lying disk would (jepsen.etcd's :truncate-wal, :bitflip-wal, :bitflip-snap):
//
//	netfault disk truncate -dir /data -glob 'raft/store/*.vlog' -bytes N [-keep K]
//	netfault disk bitflip  -dir /data -glob 'raft/snapshots/*/state.bin' -bits B -seed S [-skip K]
//
// The file is the most recently modified match of the glob (ties: the last
// in name order): the newest Badger value log, or the newest snapshot.
// truncate cuts the last N bytes, never below K bytes nor below the
// fraction -keep-ratio of the file; bitflip flips B random bits at or after
// offset K (or the fraction -keep-ratio of the file), chosen by the seed.
func disk(args []string) (any, error) {
	if len(args) < 1 {
		return nil, errors.New("want truncate, bitflip, save, restore or remove")
	}
	op := args[0]
	if op == "save" || op == "restore" || op == "remove" {
		return diskCopy(op, args[1:])
	}
	fs := flag.NewFlagSet("disk "+op, flag.ContinueOnError)
	dir := fs.String("dir", "/data", "data directory (the volume's mount point)")
	glob := fs.String("glob", "", "file pattern relative to -dir; the last match in name order is damaged")
	bytes := fs.Int64("bytes", 4096, "truncate: bytes to cut from the end")
	keep := fs.Int64("keep", 0, "truncate: never cut below this size; bitflip: flip no bit before this offset")
	// -keep-ratio is the same floor as a fraction of the file's size.
	keepRatio := fs.Float64("keep-ratio", 0, "like -keep, as a fraction of the file (0..1)")
	// A preallocated file (etcd's WAL segments: 64 MiB of zeros filled
	// from the front) ends, as far as the store is concerned, at its last
	// non-zero byte; a write that never reached the disk reads back as
	// zeros there, so truncate zeroes instead of cutting.
	written := fs.Bool("written", false, "the file is preallocated: its written part ends at its last non-zero byte; truncate zeroes the cut bytes (the file keeps its size), bitflip flips only in the written part")
	bits := fs.Int("bits", 1, "bitflip: bits to flip")
	seed := fs.Uint64("seed", 1, "bitflip: seed of the offsets")
	if err := fs.Parse(args[1:]); err != nil {
		return nil, err
	}
	if *glob == "" {
		return nil, errors.New("-glob is required")
	}
	matches, err := filepath.Glob(filepath.Join(*dir, *glob))
	if err != nil {
		return nil, fmt.Errorf("-glob %q: %w", *glob, err)
	}
	file, mtime := "", time.Time{}
	sort.Strings(matches)
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() && !st.ModTime().Before(mtime) {
			file, mtime = m, st.ModTime()
		}
	}
	if file == "" {
		return nil, fmt.Errorf("no file matches %s", filepath.Join(*dir, *glob))
	}
	st, err := os.Stat(file)
	if err != nil {
		return nil, err
	}
	ch := fault.DiskChange{File: file, Size: st.Size(), NewSize: st.Size(), Written: *written}
	if *written {
		if ch.Size, err = writtenSize(file, st.Size()); err != nil {
			return nil, err
		}
		ch.NewSize = ch.Size
	}
	switch op {
	case "truncate":
		if *bytes < 0 || *keep < 0 || *keepRatio < 0 || *keepRatio > 1 {
			return nil, errors.New("-bytes and -keep must not be negative, -keep-ratio must be in 0..1")
		}
		floor := max(min(*keep, ch.Size), int64(*keepRatio*float64(ch.Size)))
		ch.NewSize = max(ch.Size-*bytes, floor)
		if *written {
			if err := zeroRange(file, ch.NewSize, ch.Size); err != nil {
				return nil, err
			}
		} else if err := os.Truncate(file, ch.NewSize); err != nil {
			return nil, err
		}
	case "bitflip":
		if *bits < 1 {
			return nil, errors.New("-bits must be at least 1")
		}
		from := max(*keep, int64(*keepRatio*float64(ch.Size)))
		if from >= ch.Size {
			return nil, fmt.Errorf("%s has %d bytes, none at or after offset %d", file, ch.Size, from)
		}
		f, err := os.OpenFile(file, os.O_RDWR, 0)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		rng := rand.New(rand.NewPCG(*seed, 0x626974666c6970)) // "bitflip"
		for range *bits {
			off := from + rng.Int64N(ch.Size-from)
			b := make([]byte, 1)
			if _, err := f.ReadAt(b, off); err != nil {
				return nil, err
			}
			b[0] ^= 1 << rng.IntN(8)
			if _, err := f.WriteAt(b, off); err != nil {
				return nil, err
			}
			ch.Flipped = append(ch.Flipped, off)
		}
		if err := f.Sync(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown disk operation %q (want truncate or bitflip)", op)
	}
	return ch, nil
}

// writtenSize is the offset just past the last non-zero byte of a file of
// size bytes (0 for a file of zeros), read backwards in blocks.
func writtenSize(file string, size int64) (int64, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for end := size; end > 0; {
		start := max(end-int64(len(buf)), 0)
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil {
			return 0, fmt.Errorf("%s: %w", file, err)
		}
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != 0 {
				return start + int64(i) + 1, nil
			}
		}
		end = start
	}
	return 0, nil
}

// zeroRange overwrites bytes [from, to) of file with zeros and syncs it.
func zeroRange(file string, from, to int64) error {
	if to <= from {
		return nil
	}
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.WriteAt(make([]byte, to-from), from); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return f.Sync()
}
