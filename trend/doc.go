// Package trend keeps the lab's detection power night by night: one line
// per night (trend.jsonl) with, per planted bug, how often the self-test
// caught it and how fast, and per scenario the campaign's false alarms
// (a violation or divergence where none was expected) and availability
// during faults; a small chart of the lines (trend.html); and the check
// that fails a nightly job when a bug's catch rate dropped beyond chance
// or a scenario raised a false alarm it did not raise the night before.
package trend
