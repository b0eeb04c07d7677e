package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// Aimable is a nemesis whose target someone else can choose: it can be a
// part of a Compound window aimed by a relation to the other parts.
// Kill, Restart, Pause, Drop, Partition (isolating the node), MemberRemove
// and DirLost are.
type Aimable interface {
	Nemesis
	// InjectAt is Inject with the target given.
	InjectAt(ctx context.Context, c Cluster, id string, rng *rand.Rand) (*Fault, error)
}

// Side says on which side of the window's partition a part's node lies.
// The partition is the first part whose fault is a "partition" with
// groups ("n1 | n2 n3"); before it, or without one, every node is on the
// leader's side.
type Side int

const (
	// AnySide: either side.
	AnySide Side = iota
	// LeaderSide: the side of the leader the window began with.
	LeaderSide
	// OtherSide: any side but the leader's.
	OtherSide
)

// Role says which node of its side a part hits.
type Role int

const (
	// AnyRole: any node.
	AnyRole Role = iota
	// TheLeader: the leader the window began with.
	TheLeader
	// AFollower: any node but that leader.
	AFollower
	// FirstNode: the first node (n1), which bootstrapped the cluster.
	FirstNode
)

// An Aim is how a part's node relates to the leader and to the parts
// before it. A part never hits a node an earlier part was aimed at, unless
// Same names that part.
type Aim struct {
	Side Side
	Role Role
	// Same, when > 0, aims at the node of part number Same (1-based),
	// whatever Side and Role say.
	Same int
}

func (a Aim) String() string {
	if a.Same > 0 {
		return fmt.Sprintf("the node of part %d", a.Same)
	}
	who := map[Role]string{AnyRole: "a node", TheLeader: "the leader", AFollower: "a follower", FirstNode: "the first node"}[a.Role]
	switch a.Side {
	case LeaderSide:
		return who + " on the leader's side"
	case OtherSide:
		return who + " on the other side"
	}
	return who
}

// A Part is one fault of a compound window: a nemesis, and the node it is
// aimed at. A part with a zero Aim that is not Aimable (a partition shape,
// a whole-cluster fault) chooses its own targets.
type Part struct {
	Nemesis Nemesis
	Aim     Aim
	// Free makes an Aimable part choose its own target (its Inject) rather
	// than be aimed.
	Free bool
}

// Compound is several faults in one window, chosen together from the seed
// and undone together: a partition and a pause of the node it isolates, a
// partition and a kill on the majority side that leaves no quorum
// anywhere, a membership change and a partition. Composition is data: a
// new combination is a list of parts, not a type. The parts are injected
// in order (an injection that fails heals the parts already in place) and
// healed in reverse order (the last fault in is the first out: a paused
// node is thawed while still cut off, a restarted node starts while still
// isolated), Settle apart. The history records every part's own events;
// the window is one, named after every part: "compound partition n1 | n2
// n3 + pause n1" … healed by "resume + heal".
type Compound struct {
	// Label names it: "compound-<Label>".
	Label string
	Parts []Part
	// Settle is the pause between healing one part and the next (0: none):
	// how long the later state lasts before the earlier fault is undone.
	Settle time.Duration
	// HealInOrder heals the parts in the order they were injected (first
	// in, first out) instead: a partition undone before a node that
	// refused to start is replaced, which needs its peers.
	HealInOrder bool
}

// Name is "compound-<Label>".
func (k Compound) Name() string { return "compound-" + k.Label }

// Inject puts every part in place.
func (k Compound) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	if len(k.Parts) == 0 {
		return nil, fmt.Errorf("chaos: %s: no parts", k.Name())
	}
	ids := c.NodeIDs()
	leader := ""
	if k.needsLeader() {
		if leader = currentLeader(ctx, c); leader == "" {
			return nil, ErrNoLeader
		}
	}
	var (
		parts  []*Fault
		aimed  = make([]string, len(k.Parts)) // the node each part was aimed at
		groups [][]string                     // the window's partition, once there is one
	)
	undo := func() {
		hctx := context.WithoutCancel(ctx)
		for i := len(parts) - 1; i >= 0; i-- {
			_ = parts[i].Heal(hctx)
		}
	}
	for i, p := range k.Parts {
		var (
			f   *Fault
			err error
		)
		a, aimable := p.Nemesis.(Aimable)
		if aimable && !p.Free {
			var id string
			id, err = AimAt(ids, leader, groups, aimed[:i], p.Aim, rng)
			if err == nil {
				aimed[i] = id
				f, err = a.InjectAt(ctx, c, id, rng)
			}
		} else {
			f, err = p.Nemesis.Inject(ctx, c, rng)
			if err == nil && len(f.Targets) == 1 {
				aimed[i] = f.Targets[0]
			}
		}
		if err != nil {
			undo()
			return nil, fmt.Errorf("chaos: %s: part %d (%s, %s): %w", k.Name(), i+1, p.Nemesis.Name(), p.Aim, err)
		}
		parts = append(parts, f)
		if groups == nil && f.Kind == fault.Partition {
			groups = ParseGroups(f.Value)
		}
	}
	f := compoundFault(k.Name(), parts, k.Settle, k.HealInOrder)
	f.aimed = aimed
	return f, nil
}

// needsLeader reports whether some part's aim refers to the leader.
func (k Compound) needsLeader() bool {
	for _, p := range k.Parts {
		if p.Aim.Same == 0 && (p.Aim.Side != AnySide || p.Aim.Role == TheLeader || p.Aim.Role == AFollower) {
			return true
		}
	}
	return false
}

// compoundFault is the one fault of a compound window.
func compoundFault(name string, parts []*Fault, settle time.Duration, inOrder bool) *Fault {
	var (
		values, details []string
		targets         []string
	)
	for _, p := range parts {
		values = append(values, p.String())
		if p.Detail != "" {
			details = append(details, p.String()+": "+p.Detail)
		}
		for _, t := range p.Targets {
			if !slices.Contains(targets, t) {
				targets = append(targets, t)
			}
		}
	}
	var f *Fault
	f = NewFault(name, fault.Compound, strings.Join(values, " + "), sortedCopy(targets), fault.Heal, func(ctx context.Context) error {
		var errs []error
		order := healOrder(parts, inOrder)
		for j, p := range order {
			if err := p.Heal(ctx); err != nil {
				errs = append(errs, err)
			}
			if j < len(order)-1 && settle > 0 {
				waitUntil(ctx, time.Now().Add(settle))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		// The closing events, in the order they happened, and what the
		// parts found out while healing (a node replaced, transfers made).
		var heals []string
		details = details[:0]
		for _, p := range order {
			heals = append(heals, string(p.HealKind))
		}
		for _, p := range parts {
			if p.Detail != "" {
				details = append(details, p.String()+": "+p.Detail)
			}
		}
		f.HealKind = fault.Kind(strings.Join(heals, " + "))
		f.Detail = strings.Join(details, "; ")
		return nil
	})
	f.Parts = parts
	f.healInOrder = inOrder
	f.Detail = strings.Join(details, "; ")
	return f
}

// healOrder is the order a compound's parts are healed in: last in, first
// out, or as injected.
func healOrder(parts []*Fault, inOrder bool) []*Fault {
	order := slices.Clone(parts)
	if !inOrder {
		slices.Reverse(order)
	}
	return order
}

// events are the faults whose history events a window records: the parts
// of a compound (in the order they were injected), or the fault itself.
func (f *Fault) events() []*Fault {
	if len(f.Parts) > 0 {
		return f.Parts
	}
	return []*Fault{f}
}

// healEvents are events in the order they were healed (a compound's parts
// last in, first out).
func (f *Fault) healEvents() []*Fault {
	if len(f.Parts) > 0 {
		return healOrder(f.Parts, f.healInOrder)
	}
	return []*Fault{f}
}

// AimAt chooses the node a part is aimed at among ids, given the leader
// the window began with ("" when none was needed), the window's partition
// so far (nil: none), and the nodes earlier parts were aimed at (""
// for a part that chose its own targets). It draws exactly one value from
// rng. An aim no node satisfies is an error: the combination is impossible
// in this cluster (a follower on the side of an isolated leader).
func AimAt(ids []string, leader string, groups [][]string, earlier []string, a Aim, rng *rand.Rand) (string, error) {
	r := rng.Uint64()
	if a.Same > 0 {
		if a.Same > len(earlier) || earlier[a.Same-1] == "" {
			return "", fmt.Errorf("chaos: aim at the node of part %d: that part was not aimed at a node", a.Same)
		}
		return earlier[a.Same-1], nil
	}
	if (a.Side != AnySide || a.Role == TheLeader || a.Role == AFollower) && leader == "" {
		return "", ErrNoLeader
	}
	var side []string
	for _, g := range groups {
		if slices.Contains(g, leader) {
			side = g
		}
	}
	var cand []string
	for _, id := range ids {
		onLeaderSide := groups == nil || slices.Contains(side, id)
		switch {
		case slices.Contains(earlier, id):
		case a.Side == LeaderSide && !onLeaderSide, a.Side == OtherSide && onLeaderSide:
		case a.Role == TheLeader && id != leader, a.Role == AFollower && id == leader, a.Role == FirstNode && id != ids[0]:
		default:
			cand = append(cand, id)
		}
	}
	if len(cand) == 0 {
		return "", fmt.Errorf("chaos: no node is %s (leader %q, partition %s, taken %v)", a, leader, FormatGroups(groups), earlier)
	}
	return cand[r%uint64(len(cand))], nil
}

// ParseGroups reads a partition's value ("n1 | n2 n3", or a bridge's "n1 |
// n3 bridged by n2") back into its groups; nil for any other shape (a
// ring).
func ParseGroups(value string) [][]string {
	value, _, _ = strings.Cut(value, " bridged by ")
	if !strings.Contains(value, "|") {
		return nil
	}
	var groups [][]string
	for _, g := range strings.Split(value, "|") {
		groups = append(groups, strings.Fields(g))
	}
	return groups
}
