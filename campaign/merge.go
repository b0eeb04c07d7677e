package campaign

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Merge combines the campaign folders dirs (shards of one matrix, each
// with its campaign.json) into one manifest for folder out. Every shard
// must have run the same matrix, and no job may appear twice. Jobs that no
// folder reports (a shard whose job died before writing anything) are
// listed as not run, naming their shard. Run folders are referred to where
// they are when they lie inside out, and copied into out/runs otherwise,
// so out is self-contained. The caller writes the result with Write.
func Merge(out string, dirs []string, command string) (*Manifest, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("campaign: merge: no folders given")
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return nil, fmt.Errorf("campaign: merge: %w", err)
	}
	merged := &Manifest{Version: manifestVersion, Command: command}
	byIndex := map[int]Result{}
	from := map[int]string{}
	total := 0 // the shard count every folder agrees on (0: none sharded)
	for n, dir := range dirs {
		m, err := ReadManifest(dir)
		if err != nil {
			return nil, fmt.Errorf("campaign: merge: %w", err)
		}
		if n == 0 {
			merged.Matrix, merged.Title, merged.Budget = m.Matrix, m.Title, m.Budget
		} else if !m.Matrix.Equal(merged.Matrix) {
			return nil, fmt.Errorf("campaign: merge: %s ran a different matrix than %s (scenarios, seeds or duration differ)", dir, dirs[0])
		}
		if !m.Shard.Whole() {
			if total != 0 && total != m.Shard.Total {
				return nil, fmt.Errorf("campaign: merge: %s is shard %s, others are of %d shards", dir, m.Shard, total)
			}
			total = m.Shard.Total
		}
		if len(m.Sources) > 0 {
			merged.Sources = append(merged.Sources, m.Sources...)
		} else {
			merged.Sources = append(merged.Sources, Source{Dir: dir, Shard: m.Shard, Command: m.Command})
		}
		if merged.Started.IsZero() || (!m.Started.IsZero() && m.Started.Before(merged.Started)) {
			merged.Started = m.Started
		}
		if m.Finished.After(merged.Finished) {
			merged.Finished = m.Finished
		}
		for _, r := range m.Results {
			if prev, dup := from[r.Index]; dup {
				return nil, fmt.Errorf("campaign: merge: %s is in both %s and %s", r.Name(), prev, dir)
			}
			if r.Dir != "" {
				if r.Dir, err = relocate(absOut, dir, r.Dir); err != nil {
					return nil, fmt.Errorf("campaign: merge: %s: %w", r.Name(), err)
				}
				if r.Report != "" {
					r.Report = path.Join(r.Dir, path.Base(r.Report))
				}
			}
			// The folders of missed attempts move with the run.
			missed := make([]string, 0, len(r.Missed))
			for _, d := range r.Missed {
				// Best effort: a missed attempt's folder that cannot be
				// copied keeps its old path (the miss still counts).
				if nd, err := relocate(absOut, dir, d); err == nil {
					d = nd
				}
				missed = append(missed, d)
			}
			if len(missed) > 0 {
				r.Missed = missed
			}
			byIndex[r.Index], from[r.Index] = r, dir
		}
	}
	for _, j := range merged.Matrix.Jobs() {
		r, ok := byIndex[j.Index]
		if !ok {
			r = newResult(merged.Matrix, j)
			r.Reason = "no folder reports it"
			if total > 1 {
				r.Reason = fmt.Sprintf("its shard %s reported nothing", Shard{Index: j.Index%total + 1, Total: total})
			}
		}
		merged.Results = append(merged.Results, r)
	}
	if merged.Finished.IsZero() {
		merged.Finished = time.Now().UTC()
	}
	return merged, nil
}

// relocate returns the run folder rel (relative to dir) as seen from out,
// copying it into out/runs when it lies outside out.
func relocate(absOut, dir, rel string) (string, error) {
	src, err := filepath.Abs(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return "", err
	}
	if r, err := filepath.Rel(absOut, src); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(r), nil
	}
	dst := path.Join(RunsDir, path.Base(filepath.ToSlash(src)))
	if err := copyDir(src, filepath.Join(absOut, filepath.FromSlash(dst))); err != nil {
		return "", err
	}
	return dst, nil
}

// copyDir copies the regular files and folders under src to dst.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			return copyFile(p, target)
		}
		return nil // sockets, links: not artifacts
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
