// Package selftest measures the lab's power: it runs each planted bug of
// the store (package bugs, switched on at start in the failpoint build)
// through the scenarios meant to catch it, for several seeds, and the
// unmodified store through the same scenarios, and reports a matrix
// bug × scenario → caught in k of n seeds, with the median seconds of chaos
// until the first operation that cannot be ordered.
//
// A verdict of "linearizable" is only worth the bugs the lab would have
// caught; this matrix is that worth, measured. The unmodified store must
// come out clean in every run (a false alarm is a lab bug, not a catch).
package selftest
