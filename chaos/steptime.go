package chaos

import "time"

// A SlowStepper is a nemesis whose injection or heal takes longer than the
// schedule's step timeout allows on a loaded machine: one that creates and
// starts node containers (a Docker engine busy with other work has taken
// more than 30 s to start one). The schedule gives its steps the longer of
// the two bounds, so a slow engine delays the fault instead of voiding it.
type SlowStepper interface {
	StepTimeout() time.Duration
}

// perNewNode bounds the start and join of one new node container.
const perNewNode = 90 * time.Second

// StepTimeout gives each added node its own bound.
func (g GrowShrink) StepTimeout() time.Duration {
	if g.Add <= 0 {
		return 2 * perNewNode
	}
	return time.Duration(g.Add) * perNewNode
}

// StepTimeout bounds the start of the replacement node.
func (MemberReplace) StepTimeout() time.Duration { return perNewNode }

// StepTimeout is the sum of its parts' own bounds (they run one after
// another within the one step).
func (k Compound) StepTimeout() time.Duration {
	var d time.Duration
	for _, p := range k.Parts {
		if s, ok := p.Nemesis.(SlowStepper); ok {
			d += s.StepTimeout()
		}
	}
	return d
}

// stepTimeout is the bound of one injection or heal of n.
func stepTimeout(n Nemesis, def time.Duration) time.Duration {
	if s, ok := n.(SlowStepper); ok && s.StepTimeout() > def {
		return s.StepTimeout()
	}
	return def
}
