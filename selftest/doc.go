// Package selftest plans the lab's measure of its own power: each planted
// bug of the store (package bugs, switched on at start in the failpoint
// build) through the scenarios meant to catch it, for several seeds, and
// the unmodified store through the same scenarios. The plan is a campaign
// matrix with a bug axis (campaign.BugAxis): the campaign's driver runs it,
// its page, text and JSON show it (campaign.Power: caught k of n with a
// 95% interval, median and worst time to the first violation, the
// unmodified store's clean runs, errors and unknowns each counted), and it
// merges into the nightly campaign's page.
//
// A verdict of "linearizable" is only worth the bugs the lab would have
// caught; this matrix is that worth, measured. The unmodified store must
// come out clean in every run (a false alarm is a lab bug, not a catch).
package selftest
