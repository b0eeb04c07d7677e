// Package linearizability reads, records, checks, explains and draws
// histories of the raftlab key-value store.
//
// It has no knowledge of clusters or Docker: a history is a list of [Event]s,
// in the JSON Lines format of DESIGN.md ("History file"), read with
// [ReadJSONL] or [Reader], written with [WriteJSONL] or [Writer], and
// recorded live with a [Recorder]. [Check] decides with porcupine whether the
// history is linearizable, key by key, and explains violations
// ([Explanation]); [Draw] and [Result.WriteHTML] write porcupine's HTML
// picture with the nemesis events as annotations; [Result.Shrink] cuts a
// violation down to a small counterexample.
//
// # Reading
//
// Reading is strict. Each line must be one JSON object with only the fields
// of the format (process, type, f, key, value, expect, time, error, node);
// process, type, f and time are required; a client event (process ≥ 0) needs
// a key and an f among get, set, delete and cas; a set invocation needs a
// value and a cas invocation both expect and value. A nemesis event
// (process -1) may use any f. In context, a completion must match the
// outstanding invocation of its process (same f and key), a process has at
// most one operation outstanding, a process retired by an info completion is
// never used again, and time never goes backwards. Blank lines are allowed
// only at the end of the file, so line numbers and event positions agree.
// Every error is a [*LineError] naming the line. The value of a set, delete or
// cas completion is ignored (the invocation's counts); the value of an ok get
// completion is what it read.
//
// # Semantics (the model)
//
// Keys are independent (the store has no multi-key operations other than the
// multi-pair POST, which clients record as one set per key), so the history
// is partitioned by key and each key is checked on its own. A key's state is
// its value or "absent"; every key starts absent. Each operation is turned
// into one of five steps, or left out:
//
//   - get ok with value v (null: absent): the state must be v. Reads change
//     nothing.
//   - get fail or info: left out. A read that returned nothing observed
//     nothing, and a read has no effect, so it constrains nothing.
//   - set v / delete ok: the state becomes v / absent, at some point inside
//     the operation's interval (porcupine's closed interval [Call, Return]).
//     Deleting an absent key succeeds, so delete never refuses a state.
//   - set / delete fail: left out. fail means "definitely took no effect",
//     with or without an "error" field.
//   - cas e→v ok: the state must be e, and becomes v.
//   - cas fail without "error": the 409 answer, the cas found another value:
//     the state must not be e (absent counts as "not e") and stays.
//   - cas fail with "error": left out; it means only "not applied" (503).
//   - set, delete or cas with an unknown outcome (an info completion, or no
//     completion by the end of the history): it may take effect at any point
//     after its invocation, or never. It is given to porcupine with its Call
//     and Return = the latest time in the history + 1 (as the etcd
//     robustness tests do, rather than MaxInt64, which keeps pictures sane),
//     so it can be ordered anywhere after its call, including after every
//     other operation, which is the same as "never". Its step always
//     succeeds: a set or delete sets the state; a cas swaps if the state is
//     e and leaves it otherwise. No nondeterministic model is needed: a cas
//     that executed while the key was e did swap, and one that never
//     executed is ordered last.
//
// Pruning. An unknown set or cas whose new value no operation observes (no ok
// get read it, no cas ok or unknown expected it), or an unknown delete when
// no ok get read "absent", is left out of the search, in keys without a
// failed-found-another-value cas. This is exact, not a heuristic: such a write
// can be moved to the end of any order (it constrains nothing after it,
// since nothing could have seen its value before the next definite write),
// and an order with it at the end exists if and only if one without it does.
// The guard about cas fail is needed because "found another value" is the
// only step that an unseen value can satisfy. Unknown writes are what makes
// the search explode (each one is concurrent with everything after it), and
// with unique written values most of them are never observed, so this
// removes most of the cost. [Options.KeepUnobserved] turns it off; the
// tests check both ways agree with a brute-force checker.
//
// States are interned per key: each distinct string becomes a *val, so the
// model compares states by pointer and hashes them by number
// (porcupine.Model.Hash), which keeps the checker's cache cheap.
//
// # Verdicts and budgets
//
// Each key gets its own porcupine search, its own verdict and its own time
// budget ([Options.PerKeyTimeout], default 10 s), with at most
// [Options.Parallelism] keys searched at once, largest keys first. A key whose
// search does not finish within its budget is Unknown, and so is the key
// searching longest whenever the Go heap passes [Options.MaxHeap] (default 4
// GiB): porcupine's memory grows with its search, so the guard trades an
// answer for the machine's memory. A search is stopped by making every
// model step fail, which makes porcupine unwind at once; its Illegal answer
// is then ignored (failing steps can only remove orders, so an Ok answer is
// still a proof). The history's verdict is NotLinearizable if any key is,
// else Unknown if any key is, else Linearizable: never Linearizable unless
// every key was proved so.
//
// # Explanations
//
// For a key that is not linearizable, the search is run again keeping
// porcupine's partial linearizations (budget: PerKeyTimeout again). The
// explanation gives the longest order found, the key's value after it, the
// operations real time allows next and why none of them can come next, and
// for reads the plain reason when there is one: nobody wrote the value, only
// a failed write did, only a later write did, or the value had been
// overwritten by a write that completed before the read began (stale read).
//
// # Counterexamples
//
// [Result.Shrink] (or [Shrink]) takes the first key that is not
// linearizable and cuts its history down to a few operations that still
// are not: it drops the operations the model leaves out, then looks for the
// shortest failing prefix, then tries dropping whole processes, then chunks
// (delta debugging), then single operations until none can go, re-checking
// with porcupine each time (a candidate whose search runs out of time is
// rejected: it is not shown to fail). Removals follow rules that make
// the small history's failure imply the big one's, and keep its story: a
// read never becomes "a value nobody wrote" (shrink_honest.go states and
// argues the rules; a candidate that breaks them is repaired by adding
// back the writes they keep). The nemesis events whose fault windows
// overlap the kept operations are kept. The result, a [Counterexample],
// has the original events (times, process numbers) and can be written as a
// history file or an HTML page. The shrinking has a wall-clock budget; when
// it runs out, the smallest failing history found so far is returned with
// StoppedEarly set.
//
// # Pictures
//
// Nemesis events are paired into fault windows: an event whose f ends a
// fault ("start" ends kill/stop/crash/wipe and the disk faults, "member-add"
// ends member-remove/wipe, "shrink" ends grow, "resume" ends pause, "heal" ends
// partition/drop/limit/…, "restore"/"recover" end anything) closes the most
// recent open window it can end, preferring one with the same value; every
// other f opens a window. Windows never closed last to the end of the
// history, and endings with nothing to close are drawn as points. Each fault
// kind gets its own row, shaded in its family's colour. Which event closes
// which fault, and the colours, are package fault's table (report.html's
// timeline uses the same). Operations left out of the search (failed ones,
// unobserved unknown writes) are not drawn.
package linearizability
