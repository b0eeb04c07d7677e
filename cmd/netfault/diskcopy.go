package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/raftlab/raftlab/fault"
)

// copiesDir is where `netfault disk save` keeps copies, inside the volume
// (so a copy lives exactly as long as the node's data); the node never
// reads it.
const copiesDir = ".lab-copies"

// diskCopy is the operator's mistakes with a stopped node's directories:
//
//	netfault disk save    -dir /data -path raft -copy NAME  copy /data/raft aside as NAME
//	netfault disk restore -dir /data -path raft -copy NAME  put that copy back in place of /data/raft
//	netfault disk remove  -dir /data -path raft             delete /data/raft
//
// Files and Bytes count what was copied, put back or deleted.
func diskCopy(op string, args []string) (any, error) {
	fset := flag.NewFlagSet("disk "+op, flag.ContinueOnError)
	dir := fset.String("dir", "/data", "data directory (the volume's mount point)")
	path := fset.String("path", "", "directory relative to -dir (raft, kv)")
	name := fset.String("copy", "", "save, restore: name of the copy")
	if err := fset.Parse(args); err != nil {
		return nil, err
	}
	rel := filepath.Clean(*path)
	if *path == "" || filepath.IsAbs(rel) || rel == "." || strings.HasPrefix(rel, "..") || strings.HasPrefix(rel, copiesDir) {
		return nil, fmt.Errorf("-path %q: want a directory inside -dir, such as raft or kv", *path)
	}
	if op != "remove" && (*name == "" || strings.ContainsAny(*name, `/\`) || strings.HasPrefix(*name, ".")) {
		return nil, fmt.Errorf("-copy %q: want a plain name", *name)
	}
	live := filepath.Join(*dir, rel)
	saved := filepath.Join(*dir, copiesDir, *name, rel)
	ch := fault.DirChange{Op: op, Path: rel, Copy: *name}
	var err error
	switch op {
	case "save":
		if err = os.RemoveAll(saved); err == nil {
			ch.Files, ch.Bytes, err = copyTree(live, saved)
		}
	case "restore":
		if _, serr := os.Stat(saved); serr != nil {
			return nil, fmt.Errorf("no copy %q of %s: %w", *name, rel, serr)
		}
		if err = os.RemoveAll(live); err == nil {
			ch.Files, ch.Bytes, err = copyTree(saved, live)
		}
	case "remove":
		if ch.Files, ch.Bytes, err = countTree(live); err == nil {
			err = os.RemoveAll(live)
		}
	default:
		return nil, fmt.Errorf("unknown disk operation %q", op)
	}
	if err != nil {
		return nil, fmt.Errorf("disk %s %s: %w", op, rel, err)
	}
	return ch, nil
}

// copyTree copies the directory src to dst (which must not exist), files
// fsynced, and counts what it copied.
func copyTree(src, dst string) (files int, bytes int64, err error) {
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case info.Mode().IsRegular():
			n, err := copyFile(p, target, info.Mode().Perm())
			files++
			bytes += n
			return err
		default:
			return fmt.Errorf("%s: not a regular file or directory", p)
		}
	})
	return files, bytes, err
}

func copyFile(src, dst string, perm fs.FileMode) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	return n, errors.Join(err, out.Close())
}

// countTree counts the regular files under dir and their bytes; dir must
// exist.
func countTree(dir string) (files int, bytes int64, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			files++
			bytes += info.Size()
		}
		return nil
	})
	return files, bytes, err
}
