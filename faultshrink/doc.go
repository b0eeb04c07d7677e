// Package faultshrink finds a small fault schedule that still makes a run
// fail: delta debugging (Zeller's ddmin) over the run's fault windows, where
// each candidate schedule is replayed several times, because a replay of
// the same seed does not fail every time (timing varies), and is accepted
// only when most of its replays fail. The replays are behind an interface,
// so the search is tested with a fake and the Docker part stays thin
// (cmd/chaoslab's shrink-faults).
package faultshrink
