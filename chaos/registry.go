package chaos

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseNemesis returns the nemesis with the given name, the inverse of
// Name for every nemesis of this package with default settings:
//
//	kill-T  pause-T  restart-T  stall-T  partition-T  oneway-in-T  oneway-out-T
//	dropP-T (P percent, 1..100)  limitR-T (R bytes/s, "50k" = 50 000, ≥ 1000)
//	delayD-T (D a Go duration: delay100ms-leader)
//	transfer-leader, transferD-leader (leadership moved every D, default 250ms)
//	partition-halves  partition-minority  partition-ring  partition-bridge
//	and the membership, whole-cluster and disk nemeses (registry_members.go)
//	and the compound windows (compound-<label>, Compounds)
//
// where T is leader, follower, node (a random node) or first (n1, which
// bootstrapped the cluster). Scenarios and
// command lines name nemeses this way.
func ParseNemesis(name string) (Nemesis, error) {
	bad := func(why string) (Nemesis, error) {
		return nil, fmt.Errorf("chaos: nemesis %q: %s (see chaos.Names)", name, why)
	}
	if n, ok := parseMemberNemesis(name); ok {
		return n, nil
	}
	if n, ok := compoundByName(name); ok {
		return n, nil
	}
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return bad("no -target")
	}
	head, tail := name[:i], name[i+1:]
	if head == "partition" {
		for s, n := range shapeNames {
			if n == tail {
				return Partition{Shape: s}, nil
			}
		}
	}
	var t Target
	switch tail {
	case "leader":
		t = Leader
	case "follower":
		t = Follower
	case "node":
		t = AnyNode
	case "first":
		t = First
	default:
		return bad(fmt.Sprintf("unknown target %q; want leader, follower, node or first", tail))
	}
	if every, ok := strings.CutPrefix(head, "transfer"); ok && t == Leader {
		if every == "" {
			return Transfer{}, nil
		}
		dur, err := time.ParseDuration(every)
		if err != nil || dur <= 0 || dur.String() != every {
			return bad("transfer interval must be a positive duration as Go prints it (e.g. transfer100ms-leader)")
		}
		return Transfer{Every: dur}, nil
	}
	switch head {
	case "kill":
		return Kill{Target: t}, nil
	case "pause":
		return Pause{Target: t}, nil
	case "restart":
		return Restart{Target: t}, nil
	case "stall":
		return Stall{Target: t}, nil
	case "partition":
		return Partition{Shape: Isolate, Target: t}, nil
	case "oneway-in":
		return OneWay{Target: t, Dir: Inbound}, nil
	case "oneway-out":
		return OneWay{Target: t, Dir: Outbound}, nil
	}
	if p, ok := strings.CutPrefix(head, "drop"); ok {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100 || strconv.Itoa(n) != p {
			return bad("drop percent must be 1..100")
		}
		return Drop{Target: t, Percent: n}, nil
	}
	if d, ok := strings.CutPrefix(head, "delay"); ok {
		dur, err := time.ParseDuration(d)
		if err != nil || dur <= 0 || dur.String() != d {
			return bad("delay must be a positive duration as Go prints it (e.g. delay100ms)")
		}
		return Delay{Target: t, Delay: dur}, nil
	}
	if r, ok := strings.CutPrefix(head, "limit"); ok {
		mult := uint64(1)
		if k, ok := strings.CutSuffix(r, "k"); ok {
			r, mult = k, 1000
		}
		n, err := strconv.ParseUint(r, 10, 64)
		if err != nil || n*mult < 1000 || strconv.FormatUint(n, 10) != r {
			return bad("limit rate must be a whole number of bytes per second, at least 1000 (e.g. limit50k)")
		}
		return Limit{Target: t, BytesPerSec: n * mult}, nil
	}
	return bad(fmt.Sprintf("unknown kind %q", head))
}

// Catalog lists one nemesis of each kind, shape and target, with the
// default rates (drop 30%, limit 50 KB/s, delay 100 ms): the menu to choose from.
func Catalog() []Nemesis {
	var out []Nemesis
	for _, t := range []Target{Leader, Follower, AnyNode} {
		out = append(out,
			Kill{Target: t}, Restart{Target: t}, Pause{Target: t}, Stall{Target: t},
			Partition{Shape: Isolate, Target: t},
			OneWay{Target: t, Dir: Inbound}, OneWay{Target: t, Dir: Outbound},
			Drop{Target: t, Percent: 30}, Limit{Target: t, BytesPerSec: 50_000},
			Delay{Target: t, Delay: 100 * time.Millisecond},
		)
	}
	for _, s := range []Shape{Halves, Minority, Ring, Bridge} {
		out = append(out, Partition{Shape: s})
	}
	out = append(out, Transfer{})
	for _, k := range Compounds() {
		out = append(out, k)
	}
	return append(out, memberCatalog()...)
}

// Names returns the names of the Catalog.
func Names() []string {
	var names []string
	for _, n := range Catalog() {
		names = append(names, n.Name())
	}
	return names
}
