package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// TransferLeader hands leadership to to (or to the next node when to is
// empty); via must be a running node. Asking for the leader it already has
// is refused as the node does (409 "already leads").
func (f *fakeCluster) TransferLeader(ctx context.Context, via, to string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("transfer", via, to); err != nil {
		return "", err
	}
	if f.proc[via] != "" {
		return "", fmt.Errorf("fake: %s is %s", via, f.proc[via])
	}
	if f.leader == "" {
		return "", errFakeNoLeader
	}
	if to == f.leader {
		return "", fmt.Errorf("fake: http 409: %s already leads", to)
	}
	if to == "" {
		to = otherThan(f.ids, f.leader, rand.New(rand.NewPCG(1, 1)))
	}
	f.leader = to
	f.transfers++
	return to, nil
}
