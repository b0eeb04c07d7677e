package chaos

import "strings"

// The membership, whole-cluster and disk nemeses by name (see ParseNemesis):
//
//	member-remove-T  member-replace-T  disk-truncate-T
//	bitflip-raft-log-T  bitflip-snapshot-T
//	raft-dir-lost-T  data-dir-lost-T  raft-dir-lost-start-T  data-dir-lost-start-T
//	raft-dir-old-T  data-dir-old-T
//	grow-shrink  crash-all  kill-majority  restart-rolling  disk-lies

// parseMemberNemesis returns the nemesis with the given name when it is one
// of the above.
func parseMemberNemesis(name string) (Nemesis, bool) {
	switch name {
	case "grow-shrink":
		return GrowShrink{}, true
	case "crash-all":
		return CrashAll{}, true
	case "kill-majority":
		return KillMajority{}, true
	case "restart-rolling":
		return RollingRestart{}, true
	case "disk-lies":
		return DiskLies{}, true
	}
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return nil, false
	}
	var t Target
	switch name[i+1:] {
	case "leader":
		t = Leader
	case "follower":
		t = Follower
	case "node":
		t = AnyNode
	case "first":
		t = First
	default:
		return nil, false
	}
	switch name[:i] {
	case "member-remove":
		return MemberRemove{Target: t}, true
	case "member-replace":
		return MemberReplace{Target: t}, true
	case "disk-truncate":
		return DiskTruncate{Target: t}, true
	case "bitflip-" + FileRaftLog:
		return BitFlip{Target: t, File: FileRaftLog}, true
	case "bitflip-" + FileSnapshot:
		return BitFlip{Target: t, File: FileSnapshot}, true
	}
	for _, dir := range []string{DirRaft, DirData} {
		switch name[:i] {
		case dirWord(dir) + "-dir-lost":
			return DirLost{Target: t, Dir: dir}, true
		case dirWord(dir) + "-dir-lost-start":
			return DirLost{Target: t, Dir: dir, Start: true}, true
		case dirWord(dir) + "-dir-old":
			return DirOld{Target: t, Dir: dir}, true
		}
	}
	return nil, false
}

// memberCatalog is the Catalog's part for these nemeses.
func memberCatalog() []Nemesis {
	var out []Nemesis
	for _, t := range []Target{Leader, Follower, AnyNode} {
		out = append(out, MemberRemove{Target: t}, MemberReplace{Target: t}, DiskTruncate{Target: t},
			BitFlip{Target: t, File: FileRaftLog}, BitFlip{Target: t, File: FileSnapshot})
	}
	for _, t := range []Target{Follower, First} {
		for _, dir := range []string{DirRaft, DirData} {
			out = append(out, DirLost{Target: t, Dir: dir}, DirOld{Target: t, Dir: dir})
		}
	}
	return append(out, GrowShrink{}, CrashAll{}, KillMajority{}, RollingRestart{}, DiskLies{})
}
