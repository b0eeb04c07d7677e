package chaos

import (
	"fmt"
	"reflect"
	"strings"
)

// LacksError is a nemesis's answer on a cluster without a capability it
// needs: nothing was injected. Package scenarios decides from a scenario's
// data which capabilities it needs and never runs it on a system that
// lacks one, so this error means that decision and the nemesis disagree.
type LacksError struct {
	Nemesis string
	// Cluster is the cluster's Go type, Lacks the interfaces it does not
	// implement ("chaos.Killer").
	Cluster string
	Lacks   []string
}

func (e *LacksError) Error() string {
	return fmt.Sprintf("nemesis %s needs a cluster that implements %s; the system under test's cluster (%s) does not (the scenario is not applicable to it)",
		e.Nemesis, strings.Join(e.Lacks, " and "), e.Cluster)
}

// need sets each *I in into (a pointer to a capability interface
// variable) to c when c implements I, and returns a LacksError naming
// every I it does not.
func need(c Cluster, nemesis string, into ...any) error {
	var lacks []string
	for _, p := range into {
		v := reflect.ValueOf(p).Elem()
		if reflect.TypeOf(c).Implements(v.Type()) {
			v.Set(reflect.ValueOf(c))
		} else {
			lacks = append(lacks, v.Type().String())
		}
	}
	if len(lacks) > 0 {
		return &LacksError{Nemesis: nemesis, Cluster: fmt.Sprintf("%T", c), Lacks: lacks}
	}
	return nil
}

// surgeryHandles are the handles of a nemesis that works on a stopped
// node's files: stop and start it, change its files, and replace it when
// it cannot come back (the disk and operator-error nemeses).
func surgeryHandles(c Cluster, nemesis string) (Killer, Disker, Members, error) {
	var (
		kc Killer
		dc Disker
		mc Members
	)
	err := need(c, nemesis, &kc, &dc, &mc)
	return kc, dc, mc, err
}
