package report

// reportHTML is the template of report.html (data: page). Optional
// sections are guarded by their field, so a new panel is one block.
const reportHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>raftlab {{.S.Scenario}}: {{if .S.Contract}}{{.S.ReadWords}}{{else}}{{.S.Verdict}}{{end}}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1040px;color:#222;padding:0 12px}
h1{font-size:22px;margin:0 0 8px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.verdict{font-size:19px;font-weight:600;padding:14px 16px;border-radius:6px;margin:12px 0}
.ok{background:#dff5e1;border:1px solid #7cc383}.bad{background:#fde0e0;border:1px solid #e08080}
.expected{background:#fff3d6;border:1px solid #e0b650}.unknown{background:#eee;border:1px solid #aaa}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}tr.fault td{background:#fff4f0}tr.diverged td{background:#fde0e0}
tr.notread td{background:#eee}
pre{background:#f7f7f7;border:1px solid #ddd;padding:10px;overflow:auto;font-size:12.5px;white-space:pre-wrap}
.meta{color:#555}.err{color:#b00}.shown{color:#1a6b2a}ul.claims{margin:4px 0 10px}
#anomalies{border:2px solid #c00000;border-radius:6px;padding:6px 12px;margin:10px 0;background:#fff8f8}
#anomalies h2{margin:4px 0 6px;border:0;color:#a00000}#anomalies td{vertical-align:top}#anomalies td b{white-space:nowrap}
.num{display:inline-block;background:#c00000;color:#fff;border-radius:9px;min-width:18px;text-align:center;font-size:11px}
code.op{font-size:12px;display:block;white-space:nowrap}
table.levels td.l{font-weight:600}
</style></head><body>
<h1>raftlab scenario <code>{{.S.Scenario}}</code></h1>
<div class="verdict {{.Class}}" id="verdict">{{.S.Outcome}}</div>
{{with .Anomalies}}<div id="anomalies"><h2>Read contract broken: {{$.S.AnomaliesTotal}} {{if eq $.S.AnomaliesTotal 1}}anomaly{{else}}anomalies{{end}}</h2>
<table><tr><th>#</th><th class="l">anomaly</th><th class="l">key</th><th class="l">read level</th><th class="l">node</th><th class="l">indexes</th><th>seen at</th><th class="l">what happened, and the operations (history lines)</th></tr>
{{range $i, $a := .}}<tr><td><span class="num">{{inc $i}}</span></td><td class="l"><b>{{$a.Kind}}</b></td><td class="l">{{$a.Key}}</td><td class="l">{{or $a.Level "—"}}</td><td class="l">{{or $a.Node "—"}}{{with $a.Incarnation}}<br><small>incarnation {{.}}</small>{{end}}</td><td class="l">{{idx $a.Indexes}}</td><td>{{secs $a.Time}}</td>
<td class="l">{{$a.Text}}{{range $a.Ops}}<code class="op">{{.String}}</code>{{end}}</td></tr>
{{end}}</table>{{if $.AnomaliesHidden}}<p class="meta">… and {{$.AnomaliesHidden}} more (summary.json lists up to 200).</p>{{end}}
<p class="meta">Each is marked on the <a href="#timeline">timeline</a> by its number. Contracts: DESIGN.md, "Read levels and their contracts".</p></div>{{end}}
{{with .S.Levels}}<table class="levels" id="levels"><tr><th class="l">read level</th><th>reads</th><th class="l">its contract</th><th class="l">linearizable (with every write)</th><th>anomalies</th></tr>
{{range .}}<tr><td class="l">{{.Level}}</td><td>{{.Reads}}</td><td class="l {{if eq .Contract "violated"}}err{{else if eq .Contract "ok"}}shown{{end}}">{{.Contract}}</td><td class="l">{{or .Linearizable "not checked"}}{{if ne .Level "linearizable"}} <small>(informational)</small>{{end}}</td><td>{{.Anomalies}}</td></tr>
{{end}}</table>{{with $.S.Evidence}}<p class="meta">The store's indexes placed the operations{{if $.S.UnknownWrites}}; {{$.S.ResolvedWrites}} of {{$.S.UnknownWrites}} writes of unknown outcome were resolved as applied (a read returned them){{end}}.</p>{{end}}{{end}}
{{with .S.Claims}}<div id="claims"><b>What this run claims to exercise</b> (the scenario's claims; one not shown makes the run not as expected):
<ul class="claims">{{range .}}<li class="{{if .OK}}shown{{else}}err{{end}}">{{if .OK}}✓{{else}}✗{{end}} <b>{{.Claim}}</b>: {{.Detail}}</li>{{end}}</ul></div>{{end}}
{{with .S.FirstViolation}}<p class="meta">The first {{if $.S.AnomaliesTotal}}anomaly or {{end}}operation that cannot be ordered ended <b>{{.}}s</b> after the workload started.</p>{{end}}
{{with .Counterexample}}<h2 id="counterexample">Minimal counterexample: key {{.Key}}, {{.Kept}} of its {{.Original}} operations</h2>
{{if .Anomaly}}<p class="meta">The operations of the first anomaly and the writes whose values they read, cut out of the history unchanged: <a href="{{.History}}">its history</a> (<code>chaoslab check {{.History}}</code> rejects it).</p>
{{else}}<p class="meta">The fewest operations (with the faults around them) that still cannot be ordered; {{if .StoppedEarly}}<b class="err">shrinking stopped early ({{.StopReason}}): smaller may exist</b>{{else}}no single one of them can be dropped{{end}}.
Shrunk in {{.Seconds}}s. {{with .Page}}<a href="{{.}}">its picture</a> · {{end}}<a href="{{.History}}">its history</a> (<code>chaoslab check {{.History}}</code> rejects it)</p>{{end}}
{{.Section}}{{end}}
<p class="meta">{{.S.Description}}<br>
seed <b>{{.S.Seed}}</b> · started {{.S.Started.Format "2006-01-02 15:04:05 MST"}} · {{.S.Nodes}} nodes · {{.S.Clients}} clients · {{.S.Keys}} keys ·
reads <b>{{.S.ReadLevel}}</b> · workload {{.S.Duration}}s (quiet {{.S.QuietWindow}}s / fault {{.S.FaultWindow}}s) · nemeses {{join .S.Nemeses ", "}} · expect {{.S.Expect}}{{with .S.Reach}} · nodes reached at {{if eq . "container"}}container addresses{{else}}published ports{{end}}{{end}}{{with .S.Rebuilt}} · report rebuilt {{.Format "2006-01-02 15:04:05 MST"}}{{end}}</p>
<p>Artifacts: {{if .S.Artifacts.Visualization}}<a href="{{.S.Artifacts.Visualization}}">history.html</a> (porcupine's linearization picture, fault windows drawn in) · {{end}}<a href="{{.S.Artifacts.History}}">history.jsonl</a> ·
<a href="{{.S.Artifacts.Summary}}">summary.json</a>{{with .S.Artifacts.Run}} · <a href="{{.}}">run.json</a>{{end}} · <a href="{{.S.Artifacts.RunLog}}">run.log</a> · <a href="{{.S.Artifacts.NodeLogs}}/">node logs</a></p>
<p class="meta">Replay: <code>go run ./cmd/chaoslab run{{if and .S.System (ne .S.System "raftkv")}} --system {{.S.System}}{{end}} --scenario {{.S.Scenario}} --seed {{.S.Seed}} --duration {{.S.Duration}}s --nodes {{.S.Nodes}} --clients {{.S.Clients}} --keys {{.S.Keys}}{{if .S.OpsPerKey}} --ops-per-key {{.S.OpsPerKey}}{{end}}{{if .S.NodeSrc}} --node-src {{.S.NodeSrc}}{{end}}</code> (same faults and operations; real timing differs).
Rebuild this report from the stored run: <code>go run ./cmd/chaoslab report {{.S.Artifacts.Dir}}</code></p>
{{with .S.Errors}}<h2 class="err">Problems during the run</h2><ul>{{range .}}<li class="err">{{.}}</li>{{end}}</ul>{{end}}
{{with .S.Explanations}}<h2>Why {{if gt (len $.S.Levels) 1}}the whole history is{{else}}it is{{end}} not linearizable</h2>{{if gt (len $.S.Levels) 1}}<p class="meta">Porcupine on every read of every level together; only the linearizable level's reads promise linearizability (see the levels above).</p>{{end}}{{range .}}<pre>{{.}}</pre>{{end}}{{end}}

<h2 id="timeline">Timeline</h2>
{{.Timeline}}

<h2 id="phases">Availability and latency by phase</h2>
<p class="meta">Operations count in the phase their invocation falls in. cas≠: a cas that found another value (a definite answer, counted as available).
fail: refused without effect; info: outcome unknown. Latency is of the definite answers (ok and cas≠).
A fault phase runs from just before the injection to just after the heal.</p>
<table><tr><th class="l">phase</th><th>seconds</th><th>ops</th><th>ok</th><th>cas≠</th><th>fail</th><th>info</th><th>ok/s</th><th>available</th><th>p50</th><th>p99</th><th>max</th></tr>
{{range .Kinds}}<tr{{if eq .Kind "fault"}} class="fault"{{end}}><td class="l"><b>all {{.Kind}}</b></td><td>{{printf "%.1f" .Seconds}}</td><td>{{.Ops}}</td><td>{{.OK}}</td><td>{{.Mismatch}}</td><td>{{.Fail}}</td><td>{{.Info}}</td><td>{{printf "%.0f" .OKPerSec}}</td><td>{{pct .Availability}}</td><td>{{printf "%.1f" .P50ms}} ms</td><td>{{printf "%.1f" .P99ms}} ms</td><td>{{printf "%.0f" .MaxMs}} ms</td></tr>
{{end}}</table>
<details{{if le (len .S.Windows) 40}} open{{end}}><summary>every phase ({{len .S.Windows}})</summary>
<table><tr><th class="l">phase</th><th>seconds</th><th>ops</th><th>ok</th><th>cas≠</th><th>fail</th><th>info</th><th>ok/s</th><th>available</th><th>p50</th><th>p99</th><th>max</th></tr>
{{range .S.Windows}}<tr{{if eq .Kind "fault"}} class="fault"{{end}}><td class="l">{{sec .Start}}–{{sec .End}} {{if .Fault}}{{.Fault}}{{else}}quiet{{end}}</td><td>{{printf "%.2f" .Seconds}}</td><td>{{.Ops}}</td><td>{{.OK}}</td><td>{{.Mismatch}}</td><td>{{.Fail}}</td><td>{{.Info}}</td><td>{{printf "%.0f" .OKPerSec}}</td><td>{{pct .Availability}}</td><td>{{printf "%.1f" .P50ms}} ms</td><td>{{printf "%.1f" .P99ms}} ms</td><td>{{printf "%.0f" .MaxMs}} ms</td></tr>
{{end}}</table></details>
{{with .S.Recovery}}<h3 id="recovery">Recovery per fault kind</h3>
<p class="meta">First acknowledged write: from the fault in place to the first write answered ok after it (until the next fault window). Full strength: from the start of the heal until every node answers, agrees on one leader and has applied what it committed (polled every 100 ms, until the next window). Elections: rises of the highest raft term from before the injection to full strength.</p>
<table><tr><th class="l">fault kind</th><th>windows</th><th>first ack write median</th><th>worst</th><th>no ack</th><th>full strength median</th><th>worst</th><th>never whole</th><th>elections</th><th>per window</th></tr>
{{range .}}<tr class="fault"><td class="l">{{.Kind}}</td><td>{{.Windows}}</td><td>{{secsp .FirstAckMedian}}</td><td>{{secsp .FirstAckMax}}</td><td>{{.NoAck}}</td><td>{{secsp .FullStrengthMedian}}</td><td>{{secsp .FullStrengthMax}}</td><td>{{.NotFull}}{{if .NotWatched}} ({{.NotWatched}} not watched){{end}}</td><td>{{.Elections}}</td><td>{{printf "%.1f" .ElectionsPerWindow}}</td></tr>
{{end}}</table>{{end}}
{{with .S.ByFaultKind}}<h3 id="by-fault-kind">Unknown (info) operations per fault kind</h3>
<p class="meta">Every fault window of a kind added up. Unknown operations are those whose effect the checker must guess; per window is the cost of one fault of that kind{{with $.S.Reach}} (nodes reached at {{if eq . "container"}}container addresses: a request to a killed node is refused, a definite fail{{else}}published ports: a request to a killed node ends in EOF at Docker's proxy, unknown{{end}}){{end}}.</p>
<table><tr><th class="l">fault kind</th><th>windows</th><th>seconds</th><th>ops</th><th>ok</th><th>fail</th><th>info</th><th>info per window</th></tr>
{{range .}}<tr class="fault"><td class="l">{{.Kind}}</td><td>{{.Windows}}</td><td>{{printf "%.1f" .Seconds}}</td><td>{{.Ops}}</td><td>{{.OK}}</td><td>{{.Fail}}</td><td><b>{{.Info}}</b></td><td>{{printf "%.1f" .InfoPerWindow}}</td></tr>
{{end}}</table>{{end}}
<p class="meta">Workload totals: {{.S.Counts.Ops}} operations, {{.S.Counts.OK}} ok, {{.S.Counts.Mismatch}} cas≠, {{.S.Counts.Fail}} fail, {{.S.Counts.Info}} info (unknown outcome).
{{range $f, $c := .S.ByF}} {{$f}}: {{$c.OK}}/{{$c.Ops}} ok;{{end}}
Final reads: {{.S.FinalReads.OK}} ok of {{.S.FinalReads.Ops}}.</p>

<h2 id="keys">Linearizability by key</h2>
{{if .Keys}}<table><tr><th class="l">key</th><th class="l">verdict</th><th>operations</th><th>checked</th><th>unknown outcome</th><th>pruned</th><th>time</th><th class="l">note</th></tr>
{{range .Keys}}<tr><td class="l">{{.Key}}</td><td class="l">{{.Verdict}}</td><td>{{.Operations}}</td><td>{{.Checked}}</td><td>{{.Unknown}}</td><td>{{.Pruned}}</td><td>{{ms .Elapsed}}</td><td class="l">{{.Reason}}</td></tr>
{{end}}</table>{{if .KeysHidden}}<p class="meta">… and {{.KeysHidden}} more keys, all linearizable (every key's figures in summary.json).</p>{{end}}{{else}}<p>Not checked.</p>{{end}}

<h2 id="convergence">Convergence</h2>
{{with .S.Convergence}}<p>{{if .Converged}}Every node's stale read of every key agreed with the final linearizable read after {{.Waited}}s.
{{else}}<span class="err">Convergence not shown within {{.Waited}}s:</span> {{len .Diverged}} keys diverged (values read that differ), {{len .NotRead}} keys not read on every node (neither agreed nor diverged).{{end}}
{{$.ConvAgreed}} keys agreed.</p>{{end}}
<table><tr><th class="l">key</th><th class="l">state</th><th class="l">final (linearizable)</th>{{range .Nodes}}<th class="l">{{.}} (stale)</th>{{end}}</tr>
{{range .Conv}}<tr{{if eq .State "diverged"}} class="diverged"{{else if eq .State "not read"}} class="notread"{{end}}><td class="l">{{.Key}}</td><td class="l">{{.State}}</td><td class="l">{{.Final}}</td>{{range .Values}}<td class="l">{{.}}</td>{{end}}</tr>
{{end}}</table>
{{if .ConvHidden}}<p class="meta">… and {{.ConvHidden}} more keys that agreed (all values in summary.json).</p>{{end}}
{{with .NodeRows}}
<h2 id="nodes">Nodes</h2>
<p class="meta">Raft figures of each node at the end of the run; operations of the clients bound to it during the workload.</p>
<table><tr><th class="l">node</th><th class="l">state</th><th>term</th><th>commit</th><th>applied</th><th>last index</th><th>ops</th><th>ok</th><th>cas≠</th><th>fail</th><th>info</th><th class="l">note</th></tr>
{{range .}}<tr><td class="l">{{.ID}}</td><td class="l">{{.State}}</td><td>{{if .HasFigs}}{{.Term}}{{end}}</td><td>{{if .HasFigs}}{{.CommitIndex}}{{end}}</td><td>{{if .HasFigs}}{{.AppliedIndex}}{{end}}</td><td>{{if .HasFigs}}{{.LastIndex}}{{end}}</td><td>{{.Counts.Ops}}</td><td>{{.Counts.OK}}</td><td>{{.Counts.Mismatch}}</td><td>{{.Counts.Fail}}</td><td>{{.Counts.Info}}</td><td class="l err">{{.Error}}</td></tr>
{{end}}</table>
<p class="meta" id="snapshots">Snapshots over the whole run: the increases the runner saw in each node's <code>/status</code> counters (which restart from zero with the process),
sampled every 0.5 s and after every fault event during the workload and once at the end, summed over the node's processes
(restarts: new processes the samples recognised). A lower bound: what a process counted after its last sample before it died is not seen.</p>
<table><tr><th class="l">node</th><th>snapshots taken</th><th>installed from the leader</th><th>restored at start</th><th>state machine rebuilds</th><th class="l">newest snapshot</th><th>restarts</th><th>samples</th></tr>
{{range .}}<tr><td class="l">{{.ID}}</td><td>{{.SnapshotsTaken}}</td><td><b>{{.SnapshotsInstalled}}</b></td><td>{{.SnapshotRestoresAtStart}}</td><td>{{.StateMachineRebuilds}}</td><td class="l">{{if .LastSnapshotIndex}}index {{.LastSnapshotIndex}}, term {{.LastSnapshotTerm}}{{end}}</td><td>{{.Restarts}}</td><td>{{.Samples}}</td></tr>
{{end}}</table>{{end}}

<h2 id="faults">Faults</h2>
{{with .S.FaultEffect}}<p class="{{if not .OK}}err{{end}}"><b>{{if .OK}}Faults took effect:{{else}}Too few faults took effect:{{end}}</b> {{.Effective}} of {{.Windows}} windows ({{.Probed}} seen by a probe), {{.Needed}} needed{{if .Failed}} · {{.Failed}} injections failed{{end}}{{if .Ineffective}} · {{.Ineffective}} injected but not in place{{end}}.</p>{{end}}
{{if .S.Faults}}<table><tr><th class="l">nemesis</th><th class="l">fault</th><th>start</th><th>in place</th><th>healing</th><th>end</th><th class="l">took effect</th><th class="l">error</th></tr>
{{range .S.Faults}}<tr><td class="l">{{.Nemesis}}</td><td class="l">{{with .Fault}}{{.String}}{{end}}</td><td>{{sec .Start}}</td><td>{{sec .Injected}}</td><td>{{sec .Healing}}</td><td>{{sec .End}}</td><td class="l{{with .Effect}}{{if not .Took}} err{{end}}{{end}}">{{with .Effect}}{{if .Took}}{{if .Probed}}yes{{else}}not probed{{end}}{{else}}NO{{end}}: {{.Evidence}}{{else}}{{if .Fault}}—{{else}}NO (injection failed){{end}}{{end}}</td><td class="l err">{{.Error}}</td></tr>
{{end}}</table>{{else}}<p>No faults.</p>{{end}}
<p class="meta">Timings: cluster start {{.S.Timings.ClusterStart}}s · workload {{.S.Timings.Workload}}s · recovery {{.S.Timings.Recovery}}s · final reads {{.S.Timings.FinalReads}}s · convergence {{.S.Timings.Convergence}}s · cluster close {{.S.Timings.ClusterClose}}s · check {{.S.Timings.Check}}s · total {{.S.Timings.Total}}s</p>
</body></html>
`
