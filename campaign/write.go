package campaign

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Files of a campaign's out folder besides the manifest.
const (
	PageFile     = "index.html"
	JUnitFile    = "junit.xml"
	MarkdownFile = "summary.md"
)

// Write writes m's manifest, page, JUnit file and Markdown summary into
// dir. Each file is replaced atomically (written aside, then renamed), so a
// reader or a killed campaign never sees half a file.
func Write(dir string, m *Manifest) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("campaign: %w", err)
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer, *Manifest) error
	}{
		{ManifestFile, func(w io.Writer, m *Manifest) error {
			b, err := m.encode()
			if err == nil {
				_, err = w.Write(b)
			}
			return err
		}},
		{PageFile, WritePage},
		{JUnitFile, WriteJUnit},
		{MarkdownFile, WriteMarkdown},
	} {
		var buf bytes.Buffer
		if err := f.write(&buf, m); err != nil {
			return err
		}
		if err := writeAtomic(filepath.Join(dir, f.name), buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("campaign: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("campaign: %w", err)
	}
	return nil
}
