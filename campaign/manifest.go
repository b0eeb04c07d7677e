package campaign

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ManifestFile is the campaign's manifest in its out folder.
const ManifestFile = "campaign.json"

// manifestVersion changes when a reader of an older manifest would
// misread a newer one.
const manifestVersion = 1

// A Manifest is a campaign as data: what it was asked to run and how each
// run ended. Pages, JUnit and summaries are rendered from it alone, and
// shards merge by merging their manifests.
type Manifest struct {
	Version int    `json:"version"`
	Title   string `json:"title,omitempty"`
	// Command is the command line that ran the campaign (for a merge, the
	// merge's), Sources the shards that were merged.
	Command string   `json:"command"`
	Sources []Source `json:"sources,omitempty"`
	Matrix  Matrix   `json:"matrix"`
	// Shard is the slice this campaign ran; zero for a whole or merged one.
	Shard Shard `json:"shard"`
	// Budget is the time budget in seconds (0: none).
	Budget   float64   `json:"budget,omitempty"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitempty"`
	// Results are this campaign's jobs in matrix order, run or not.
	Results []Result `json:"results"`
}

// A Source is a shard folder merged into a manifest.
type Source struct {
	Dir     string `json:"dir"`
	Shard   Shard  `json:"shard"`
	Command string `json:"command"`
}

// NewManifest plans the jobs of shard sh of matrix m, all pending.
func NewManifest(m Matrix, sh Shard, command string) *Manifest {
	man := &Manifest{Version: manifestVersion, Command: command, Matrix: m, Shard: sh}
	for _, j := range sh.Select(m.Jobs()) {
		man.Results = append(man.Results, newResult(m, j))
	}
	return man
}

// Tally counts the manifest's results.
func (m *Manifest) Tally() Tally { return Count(m.Results) }

// ReadManifest reads dir/campaign.json.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("campaign: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("campaign: %s: %w", path, err)
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("campaign: %s: manifest version %d, this chaoslab reads %d", path, m.Version, manifestVersion)
	}
	return &m, nil
}

func (m *Manifest) encode() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("campaign: encode manifest: %w", err)
	}
	return append(b, '\n'), nil
}
