package bugs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCatalogueIsComplete(t *testing.T) {
	assert.GreaterOrEqual(t, len(All), 6)
	seen := map[string]bool{}
	for _, b := range All {
		assert.True(t, strings.HasPrefix(b.Name, "bug-"), b.Name)
		assert.False(t, seen[b.Name], "duplicate %s", b.Name)
		seen[b.Name] = true
		assert.NotEmpty(t, b.Description, b.Name)
		assert.NotEmpty(t, b.Report, b.Name)
		assert.NotEmpty(t, b.Scenarios, b.Name)
		got, ok := Lookup(b.Name)
		assert.True(t, ok)
		assert.Equal(t, b.Name, got.Name)
	}
	_, ok := Lookup("bug-none")
	assert.False(t, ok)
}
