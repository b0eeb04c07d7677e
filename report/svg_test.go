package report

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sec = 1000 * ms

// TestTimelineDrawsMembershipWindows: membership faults (a member removed
// and added back, a node wiped and replaced, the cluster grown and shrunk)
// are shaded in the membership colour and labelled with the event that
// ended them; a failed injection is drawn too.
func TestTimelineDrawsMembershipWindows(t *testing.T) {
	ws := []FaultWindow{
		{Nemesis: "member-remove-leader", Start: 1 * sec, Injected: 1*sec + ms, Healing: 3 * sec, End: 3*sec + 200*ms,
			Fault: &Fault{Kind: "member-remove", Value: "n1", Targets: []string{"n1"}, HealKind: "member-add"}},
		{Nemesis: "member-replace-node", Start: 4 * sec, Injected: 4*sec + ms, Healing: 6 * sec, End: 7 * sec,
			Fault: &Fault{Kind: "wipe", Value: "n2", Targets: []string{"n2"}, HealKind: "member-add"}},
		{Nemesis: "grow-shrink", Start: 8 * sec, Injected: 9 * sec, Healing: 11 * sec, End: 12 * sec,
			Fault: &Fault{Kind: "grow", Value: "n4 n5", Targets: []string{"n4", "n5"}, HealKind: "shrink"}},
		{Nemesis: "grow-shrink", Start: 13 * sec, End: 13*sec + 500*ms, Error: "add n6: boom"},
	}
	phases := buildPhases(ws, 0, 14*sec)
	var stats []PhaseStats
	for _, p := range phases {
		stats = append(stats, PhaseStats{Phase: p})
	}
	svg := timelineSVG(nil, stats, 0, 14*sec)

	for _, want := range []struct{ kind, label, fill string }{
		{"member-remove", "member-remove n1 → member-add", "#c9e8d2"},
		{"wipe", "wipe n2 → member-add", "#c9e8d2"},
		{"grow", "grow n4 n5 → shrink", "#c9e8d2"},
		{"grow-shrink (failed)", "grow-shrink (failed: add n6: boom)", "#e4e4e4"},
	} {
		rect := regexp.MustCompile(`<rect class="fault" data-kind="` + regexp.QuoteMeta(want.kind) + `"[^>]*fill="` + want.fill + `"[^>]*><title>` + regexp.QuoteMeta(want.label) + `</title>`)
		assert.Regexp(t, rect, svg, "shaded window of %q", want.label)
		assert.Contains(t, svg, ">"+want.label+"</text>", "label of %q", want.label)
	}
	require.Equal(t, 4, strings.Count(svg, `<rect class="fault"`))
	// Neighbouring labels sit on alternating rows.
	ys := regexp.MustCompile(`<text x="[0-9.]+" y="([0-9]+)" fill="#[0-9a-f]+">(member|wipe|grow)`).FindAllStringSubmatch(svg, -1)
	require.Len(t, ys, 4)
	assert.NotEqual(t, ys[0][1], ys[1][1])
	assert.Equal(t, ys[0][1], ys[2][1])
}
