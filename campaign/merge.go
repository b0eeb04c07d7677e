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
// with its campaign.json, and a self-test's folders) into one manifest for
// folder out: the campaign's scenarios × seeds and the self-test's bug
// axis on one page. Every shard of a part must have run the same part of
// the matrix, and no job may appear twice. Jobs that no
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
	byName := map[string]Result{}
	from := map[string]string{}
	// A folder holds a campaign's part (scenarios × seeds), a self-test's
	// part (the bug axis), or both (an earlier merge). Folders of one part
	// must agree on it (shards of one matrix); the parts are combined.
	var (
		plain, axis       *Matrix
		plainDir, axisDir string
		selfTitle         string
		// totals are the shard counts each part's folders agree on (0: none sharded).
		totals = map[bool]int{}
	)
	for _, dir := range dirs {
		m, err := ReadManifest(dir)
		if err != nil {
			return nil, fmt.Errorf("campaign: merge: %w", err)
		}
		p := m.Matrix
		p.SelfTest = nil
		if len(p.Scenarios) > 0 {
			if plain != nil && !p.Equal(*plain) {
				return nil, fmt.Errorf("campaign: merge: %s ran a different matrix than %s (scenarios, seeds or duration differ)", dir, plainDir)
			}
			plain, plainDir = &p, dir
		}
		if m.Matrix.SelfTest != nil {
			if axis != nil && !m.Matrix.SelfTest.equal(axis.SelfTest) {
				return nil, fmt.Errorf("campaign: merge: %s ran a different self-test than %s (bugs, scenarios, seeds or duration differ)", dir, axisDir)
			}
			axis, axisDir = &m.Matrix, dir
		}
		// The campaign's title names a merged page; a self-test's only
		// its own.
		if merged.Title == "" && len(p.Scenarios) > 0 {
			merged.Title = m.Title
		}
		if selfTitle == "" && len(p.Scenarios) == 0 {
			selfTitle = m.Title
		}
		merged.Budget = max(merged.Budget, m.Budget)
		if !m.Shard.Whole() {
			part := m.Matrix.SelfTest != nil && len(m.Matrix.Scenarios) == 0
			if t := totals[part]; t != 0 && t != m.Shard.Total {
				return nil, fmt.Errorf("campaign: merge: %s is shard %s, others are of %d shards", dir, m.Shard, t)
			}
			totals[part] = m.Shard.Total
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
			if prev, dup := from[r.Name()]; dup {
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
			byName[r.Name()], from[r.Name()] = r, dir
		}
	}
	if plain != nil {
		merged.Matrix = *plain
	} else {
		merged.Title = selfTitle
	}
	if axis != nil {
		if merged.Matrix.System != "" {
			return nil, fmt.Errorf("campaign: merge: %s is a self-test (raftkv's planted bugs), %s ran %s", axisDir, plainDir, merged.Matrix.System)
		}
		merged.Matrix.SelfTest = axis.SelfTest
		if plain == nil {
			merged.Matrix.CheckTimeout = axis.CheckTimeout
		}
	}
	for _, j := range merged.Matrix.Jobs() {
		r, ok := byName[j.Name()]
		if !ok {
			r = newResult(merged.Matrix, j)
			r.Reason = "no folder reports it"
			// Within its part, a job's shard is its index modulo the count.
			part, i := j.Bug != "", j.Index
			if part {
				i -= merged.Matrix.plainJobs()
			}
			if t := totals[part]; t > 1 {
				r.Reason = fmt.Sprintf("its shard %s reported nothing", Shard{Index: i%t + 1, Total: t})
			}
		}
		r.Index = j.Index
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
