package chaos

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Nemeses that start node containers get more than the default step bound;
// the others keep it.
func TestStepTimeoutGivesNewNodesTime(t *testing.T) {
	def := 30 * time.Second
	assert.Equal(t, 2*perNewNode, stepTimeout(GrowShrink{}, def))
	assert.Equal(t, 3*perNewNode, stepTimeout(GrowShrink{Add: 3}, def))
	assert.Equal(t, perNewNode, stepTimeout(MemberReplace{}, def))
	assert.Equal(t, 3*perNewNode, stepTimeout(Compound{Parts: []Part{{Nemesis: GrowShrink{}}, {Nemesis: MemberReplace{}}}}, def))
	assert.Equal(t, def, stepTimeout(Compound{}, def))
	assert.Equal(t, def, stepTimeout(Pause{}, def))
	assert.Equal(t, 10*time.Minute, stepTimeout(GrowShrink{}, 10*time.Minute), "a longer default is kept")
}
