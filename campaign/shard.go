package campaign

import (
	"fmt"
	"strconv"
	"strings"
)

// A Shard is slice i of n of a matrix (1 ≤ i ≤ n). The zero Shard is the
// whole matrix.
type Shard struct {
	Index int `json:"index"`
	Total int `json:"total"`
}

// ParseShard parses "i/n".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 1 ≤ i ≤ n", s)
	}
	return Shard{Index: i, Total: n}, nil
}

func (s Shard) String() string {
	if s.Whole() {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Total)
}

// Whole reports whether s is the whole matrix.
func (s Shard) Whole() bool { return s.Total <= 1 }

// Owns reports whether job j belongs to s. Jobs are dealt round-robin by
// matrix index, so shards differ in size by at most one job and each gets
// a share of every seed — and the answer depends on nothing but (j, s).
func (s Shard) Owns(j Job) bool {
	return s.Whole() || j.Index%s.Total == s.Index-1
}

// Select returns the jobs of s, in matrix order.
func (s Shard) Select(jobs []Job) []Job {
	var out []Job
	for _, j := range jobs {
		if s.Owns(j) {
			out = append(out, j)
		}
	}
	return out
}
