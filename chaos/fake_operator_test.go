package chaos

import (
	"context"
	"fmt"
)

// SaveNodeDir keeps the copy's name; the node must be down.
func (f *fakeCluster) SaveNodeDir(ctx context.Context, id, dir, copy string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("save-dir", id, dir, copy); err != nil {
		return "", err
	}
	if st := f.proc[id]; st != "killed" && st != "stopped" {
		return "", fmt.Errorf("fake: save-dir %s while %q", id, st)
	}
	if f.copies == nil {
		f.copies = map[string]bool{}
	}
	f.copies[id+"/"+dir+"/"+copy] = true
	return "save " + dir, nil
}

// RestoreNodeDir puts a saved copy back: the node's files are damaged ("old")
// until it starts (or is replaced).
func (f *fakeCluster) RestoreNodeDir(ctx context.Context, id, dir, copy string) (string, error) {
	if !f.hasCopy(id, dir, copy) {
		return "", fmt.Errorf("fake: no copy %s of %s's %s", copy, id, dir)
	}
	return f.damage("restore-dir", id, dir, "old", copy)
}

// RemoveNodeDir deletes a directory: damaged ("lost") until started.
func (f *fakeCluster) RemoveNodeDir(ctx context.Context, id, dir string) (string, error) {
	return f.damage("remove-dir", id, dir, "lost")
}

func (f *fakeCluster) hasCopy(id, dir, copy string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.copies[id+"/"+dir+"/"+copy]
}
