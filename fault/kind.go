package fault

import "slices"

// A Kind is the f of a nemesis event in a history: a fault that opens a
// window ("kill", "partition") or the event that closes one ("start",
// "heal"). Its JSON form is the plain string.
type Kind string

// The fault kinds the lab's nemeses record (DESIGN.md, "Nemesis f values").
const (
	Kill           Kind = "kill"            // SIGKILL a node
	Stop           Kind = "stop"            // stop a node cleanly
	Crash          Kind = "crash"           // SIGKILL several nodes at once
	RestartRolling Kind = "restart-rolling" // restart every node in turn
	Pause          Kind = "pause"           // freeze a node's processes
	Partition      Kind = "partition"       // cut links (groups, one-way, isolation)
	Drop           Kind = "drop"            // lose a share of a node's packets
	Delay          Kind = "delay"           // hold a node's packets (jitter, reordering)
	Limit          Kind = "limit"           // cap a node's outgoing bandwidth
	Truncate       Kind = "truncate"        // cut the tail of a stopped node's file
	Bitflip        Kind = "bitflip"         // flip bits in a stopped node's file
	DiskLies       Kind = "disk-lies"       // nodes whose disk loses unsynced writes, crashed
	DirLost        Kind = "dir-lost"        // a stopped node's directory deleted
	DirOld         Kind = "dir-old"         // a stopped node's directory put back from an old copy
	MemberRemove   Kind = "member-remove"   // a running member removed through the API
	Wipe           Kind = "wipe"            // a node's disk lost, an empty node in its place
	Grow           Kind = "grow"            // nodes added as voters
	Failpoint      Kind = "failpoint"       // a node failpoint armed
	Transfer       Kind = "transfer"        // leadership moved again and again
	Compound       Kind = "compound"        // several faults in one window (never in a history: its parts are)
)

// Kinds other tools' histories use, read by `chaoslab check` and `draw`;
// the lab's nemeses never record them.
const (
	Isolate Kind = "isolate"
	Clog    Kind = "clog"
	Loss    Kind = "loss"
)

// The events that close a fault window.
const (
	Start     Kind = "start"      // the node started again
	Resume    Kind = "resume"     // the node's processes thawed
	Heal      Kind = "heal"       // rules removed, failpoint disarmed, transfers stopped
	MemberAdd Kind = "member-add" // a member added (back, or an empty one in a lost one's place)
	Shrink    Kind = "shrink"     // the added nodes removed again
	// Closers other tools' histories use.
	Restore Kind = "restore" // ends any fault
	Recover Kind = "recover" // ends any fault
	Unpause Kind = "unpause"
	Unlimit Kind = "unlimit"
)

// A Family groups kinds that hurt a cluster the same way; pictures shade a
// window by its family.
type Family string

// The families.
const (
	Network    Family = "network"
	Crashes    Family = "crash"
	Pauses     Family = "pause"
	Disk       Family = "disk"
	Membership Family = "membership"
	Failpoints Family = "failpoint"
	Leadership Family = "leadership"
	Compounds  Family = "compound"
	// Other is the family of a kind not in the table.
	Other Family = "other"
)

// Colour is how pictures draw a window: its shading and its label's ink.
type Colour struct {
	Fill, Ink string
}

// FailedColour is the colour of a window whose injection failed (it has no
// kind).
var FailedColour = Colour{"#e4e4e4", "#555555"}

// familyColours: every picture (report.html's timeline, history.html's
// rows, counterexamples) draws a family in this colour.
var familyColours = map[Family]Colour{
	Network:    {"#ffd9c7", "#a04010"},
	Crashes:    {"#ffc9a3", "#a04010"},
	Pauses:     {"#fff1a8", "#806000"},
	Disk:       {"#f5c6e6", "#902070"},
	Membership: {"#c9e8d2", "#1a6b2a"},
	Failpoints: {"#dcdcf5", "#403090"},
	Leadership: {"#cfe6f7", "#1d5a85"},
	Compounds:  {"#d9c8f0", "#5a2a90"},
	Other:      {"#dcdcf5", "#403090"},
}

// Colour is the family's colour.
func (f Family) Colour() Colour {
	if c, ok := familyColours[f]; ok {
		return c
	}
	return familyColours[Other]
}

// Info is one row of the table: a kind, its family, and the events that
// may close its window, the usual one first.
type Info struct {
	Kind   Kind
	Family Family
	Heals  []Kind
	// Foreign: a kind only other tools' histories use.
	Foreign bool
}

// table is every fault kind, once.
var table = []Info{
	{Kind: Kill, Family: Crashes, Heals: []Kind{Start}},
	{Kind: Stop, Family: Crashes, Heals: []Kind{Start}},
	{Kind: Crash, Family: Crashes, Heals: []Kind{Start}},
	{Kind: RestartRolling, Family: Crashes, Heals: []Kind{Start}},
	{Kind: Pause, Family: Pauses, Heals: []Kind{Resume, Unpause}},
	{Kind: Partition, Family: Network, Heals: []Kind{Heal}},
	{Kind: Drop, Family: Network, Heals: []Kind{Heal}},
	{Kind: Delay, Family: Network, Heals: []Kind{Heal}},
	{Kind: Limit, Family: Network, Heals: []Kind{Heal, Unlimit}},
	{Kind: Isolate, Family: Network, Heals: []Kind{Heal}, Foreign: true},
	{Kind: Clog, Family: Network, Heals: []Kind{Heal}, Foreign: true},
	{Kind: Loss, Family: Network, Heals: []Kind{Heal}, Foreign: true},
	// A disk fault closes with member-add when the damaged node refused
	// to start and was replaced.
	{Kind: Truncate, Family: Disk, Heals: []Kind{Start, MemberAdd}},
	{Kind: Bitflip, Family: Disk, Heals: []Kind{Start, MemberAdd}},
	{Kind: DiskLies, Family: Disk, Heals: []Kind{Start}},
	{Kind: DirLost, Family: Disk, Heals: []Kind{Start, MemberAdd}},
	{Kind: DirOld, Family: Disk, Heals: []Kind{Start, MemberAdd}},
	{Kind: MemberRemove, Family: Membership, Heals: []Kind{MemberAdd}},
	// Histories recorded before wipe closed with member-add close it
	// with start.
	{Kind: Wipe, Family: Membership, Heals: []Kind{MemberAdd, Start}},
	{Kind: Grow, Family: Membership, Heals: []Kind{Shrink}},
	// start when a target crashed at the point and was started again,
	// heal when every target still answered (disarmed).
	{Kind: Failpoint, Family: Failpoints, Heals: []Kind{Heal, Start}},
	{Kind: Transfer, Family: Leadership, Heals: []Kind{Heal}},
	// Its record's HealKind joins its parts' ("resume + heal").
	{Kind: Compound, Family: Compounds, Heals: []Kind{Heal}},
}

// closeAll are closers that end any open window.
var closeAll = []Kind{Restore, Recover}

// Kinds is the table, in its order.
func Kinds() []Info { return slices.Clone(table) }

// Lookup returns k's row.
func Lookup(k Kind) (Info, bool) {
	for _, in := range table {
		if in.Kind == k {
			return in, true
		}
	}
	return Info{}, false
}

// Family is k's family; Other when k is not in the table.
func (k Kind) Family() Family {
	if in, ok := Lookup(k); ok {
		return in.Family
	}
	return Other
}

// Colour is how pictures draw k's windows (its family's colour).
func (k Kind) Colour() Colour { return k.Family().Colour() }

// Closes reports whether k is an event that closes fault windows, and
// which kinds it closes: nil means any.
func (k Kind) Closes() (kinds []Kind, ok bool) {
	if slices.Contains(closeAll, k) {
		return nil, true
	}
	for _, in := range table {
		if slices.Contains(in.Heals, k) {
			kinds = append(kinds, in.Kind)
		}
	}
	return kinds, len(kinds) > 0
}
