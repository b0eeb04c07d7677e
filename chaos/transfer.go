package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/raftlab/raftlab/fault"
)

// DefaultTransferEvery is how often Transfer moves leadership by default.
const DefaultTransferEvery = 250 * time.Millisecond

// Transfer moves leadership through the store itself (POST
// /leader/transfer, hashicorp/raft's LeadershipTransferToServer, etcd's
// MoveLeader) to a random other node, every Every for the whole fault
// window. A transfer is a clean election: the old leader stops taking
// writes, brings the target up to date and tells it to campaign at once,
// so nothing is killed or cut off and clients keep reading and writing
// through every node. What it buys is many new terms per second, each with
// its first milliseconds in which a new leader does not yet know which
// entries are committed (until it commits one of its own): read-path bugs
// of a new term (bug-read-no-barrier) live there.
//
// The first transfer happens in Inject (it failing fails the injection: a
// fault that did not take effect is not a window); the rest run in the
// background until Heal, which reports how many succeeded in the fault's
// Detail. History: "transfer n1 -> n3 every 250ms" … "heal …".
type Transfer struct {
	// Every is the pause between two transfers (default
	// DefaultTransferEvery); a transfer itself takes a few milliseconds.
	Every time.Duration
}

// Name is "transfer-leader", or "transfer<Every>-leader" when Every is not
// the default (transfer100ms-leader).
func (t Transfer) Name() string {
	if t.Every <= 0 || t.Every == DefaultTransferEvery {
		return "transfer-leader"
	}
	return "transfer" + t.Every.String() + "-leader"
}

// transferTally counts the outcomes of a window's transfers.
type transferTally struct {
	mu     sync.Mutex
	ok     int
	failed int
	last   string // the last error, for people
}

func (t *transferTally) add(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.failed++
		t.last = err.Error()
		return
	}
	t.ok++
}

func (t *transferTally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := fmt.Sprintf("%d leadership transfers", t.ok)
	if t.failed > 0 {
		s += fmt.Sprintf(", %d refused or failed (last: %s)", t.failed, t.last)
	}
	return s
}

// Inject makes the first transfer and starts the rest.
func (t Transfer) Inject(ctx context.Context, c Cluster, rng *rand.Rand) (*Fault, error) {
	var tc LeaderTransferer
	if err := need(c, t.Name(), &tc); err != nil {
		return nil, err
	}
	every := t.Every
	if every <= 0 {
		every = DefaultTransferEvery
	}
	ids := c.NodeIDs()
	if len(ids) < 2 {
		return nil, fmt.Errorf("chaos: transfer: needs two nodes, have %v", ids)
	}
	leader := currentLeader(ctx, c)
	if leader == "" {
		return nil, ErrNoLeader
	}
	to := otherThan(ids, leader, rng)
	if _, err := tc.TransferLeader(ctx, leader, to); err != nil {
		return nil, err
	}
	tally := &transferTally{ok: 1}
	seed := rng.Uint64()
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		transferLoop(bg, tc, ids, to, every, rand.New(rand.NewPCG(seed, 1)), tally)
	}()
	value := fmt.Sprintf("%s -> %s every %s", leader, to, every)
	var f *Fault
	f = NewFault(t.Name(), fault.Transfer, value, []string{leader, to}, fault.Heal, func(ctx context.Context) error {
		stop()
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("transfers did not stop: %w", ctx.Err())
		}
		f.Detail = tally.String()
		return nil
	})
	return f, nil
}

// transferLoop moves leadership every every until ctx ends. It asks the
// node it last made leader (forwarded if that guess is stale) to hand over
// to a random other node.
func transferLoop(ctx context.Context, c LeaderTransferer, ids []string, leader string, every time.Duration, rng *rand.Rand, tally *transferTally) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		to := otherThan(ids, leader, rng)
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := c.TransferLeader(cctx, leader, to)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil && strings.Contains(err.Error(), "already leads") {
			// The guess was stale and the target leads already: no
			// election happened, nothing to count.
			leader = to
			continue
		}
		tally.add(err)
		if err == nil {
			leader = to
		}
	}
}

// otherThan picks a node of ids other than id (one draw from rng).
func otherThan(ids []string, id string, rng *rand.Rand) string {
	var cand []string
	for _, x := range ids {
		if x != id {
			cand = append(cand, x)
		}
	}
	r := rng.Uint64()
	if len(cand) == 0 {
		return id
	}
	return cand[r%uint64(len(cand))]
}
