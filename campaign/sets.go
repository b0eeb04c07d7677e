package campaign

import "github.com/raftlab/raftlab/scenarios"

// SetNames returns the names of the scenario sets a campaign accepts in
// place of scenario names; they are defined in one place, package
// scenarios (sets.go).
func SetNames() []string { return scenarios.SetNames() }

// Resolve expands a comma-separated list of scenario and set names into
// scenario names, in the order given, without duplicates. An unknown name
// is an error listing what is known.
func Resolve(list string) ([]string, error) {
	ss, err := scenarios.Select(list)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	return names, nil
}
