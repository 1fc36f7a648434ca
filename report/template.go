package report

import "html/template"

var tmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cmsim report: {{.Scenario}} (seed {{.Seed}})</title>
<style>{{template "style"}}</style>{{define "style"}}
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #1d1d1d; background: #fff;
  max-width: 78rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
.meta { color: #555; margin-top: 0; }
p, .reading li { max-width: 48rem; }
.tablewrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid #c8c8c8; padding: .25rem .45rem; text-align: right; white-space: nowrap; }
th { background: #f2f2f2; font-weight: 600; }
th { white-space: normal; vertical-align: bottom; }
td.param { text-align: left; }
td.wrap { white-space: normal; }
table.compact th, table.compact td { padding: .25rem .3rem; white-space: normal; }
table.compact th { vertical-align: bottom; }
figure { margin: 1.5rem 0 2rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; max-width: 24cm; height: auto; }
figure.tall svg { max-width: 18cm; }
figcaption { font-size: .9rem; color: #444; max-width: 48rem; margin-top: .35rem; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: .75rem; overflow-x: auto; font-size: .8rem; }
a { color: #0b5394; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; color: #000; }
  h2 { break-after: avoid; page-break-after: avoid; }
  th, pre { background: none; }
  .tablewrap { overflow: visible; }
  table { font-size: 8pt; }
  figure svg { max-width: 16cm; }
  figure.tall svg { max-width: 12cm; }
  pre { white-space: pre-wrap; }
  a { color: #000; }
}
{{end}}
</head>
<body>
<h1>cmsim report: {{.Scenario}}</h1>
<p class="meta">Seed {{.Seed}}. Reproduce with <code>cmsim run --seed={{.Seed}}</code> on the scenario below.</p>

<h2 id="reading">What happened</h2>
<div class="reading">
{{- range .Reading.Paragraphs}}
<p>{{.}}</p>
{{- end}}
{{- if .Reading.Points}}
<ul>
{{- range .Reading.Points}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
</div>

<h2 id="summary">Summary</h2>
<p>Update-to-file latency over every observed (update, consumer) pair; ± is the 95% confidence half-width over replications when there are several. Never updated: the pairs whose consumer cannot see the update while its container runs, as env / subPath / immutable. With replications, counts are means, rounded.</p>
{{template "table" .Latency}}
<p>Apiserver load from kubelet ConfigMap and Secret requests, averaged over the run.</p>
{{template "table" .Load}}
{{- with .Derived}}
<p>What the settings imply, before anything runs: the Cache TTL in force (auto: the TTL controller's annotation for the cluster size; only the Cache strategy uses it) and the expected bound on a running pod's volume latency, 1.5 × syncFrequency (the longest resync wait) + the 1 s sync tick and the volume manager's two 100 ms loops, + the TTL under Cache. Faults, queueing, new pods and env consumers can exceed it.</p>
{{template "table" .}}
{{- end}}
{{- if .Groups}}

<h2 id="groups">By workload and object group</h2>
{{- range .Groups}}
<h3>{{.Label}}</h3>
{{template "table" .Table}}
<p>{{.Note}}</p>
{{- end}}
{{- end}}
{{- with .Capacity}}

<h2 id="capacity">Apiserver capacity</h2>
<p>The kubelets' priority level of API Priority and Fairness: its seats on each apiserver replica, the share of them busy on average, the seats in use and the requests waiting in its queues (summed over replicas), the 429s per second (of every cause) and client-go's retries of them.</p>
{{template "table" .Level}}
<p>Request latency, from a kubelet's request to its response, over every request of the run: its time waiting for the client's token bucket (throttle), in the level's queues (queue) and holding a seat (service); the rest is Retry-After sleeps. Each part's p99 is its own, so they do not add up.</p>
{{- range .Latency}}
{{- if .Label}}
<h3>{{.Label}}</h3>
{{- end}}
{{template "table" .Table}}
{{- end}}
{{- end}}
{{- if .Faults}}

<h2 id="faults">Faults and recovery</h2>
<p>One row per fault or churn arrival{{if gt (len .Faults) 1}}, per point{{end}}. Lasted: until its last target's disruption ended (downtime, watch cache initialisation, spread). Peaks: the most requests of each verb in any one second from the fault to its recovery (or the end of the run). Rewatch: until every watch it dropped was open again; mounts ok: until every mount that failed in its wake succeeded; converge: until every pod's files held every write committed before it ended; recovery: the latest of these. With replications, figures are means when every replication had the same arrivals, else the first replication's.</p>
{{- range .Faults}}
{{- if .Label}}
<h3>{{.Label}}</h3>
{{- end}}
{{template "table" .Table}}
{{- if .Note}}
<p>{{.Note}}</p>
{{- end}}
{{- end}}
{{- end}}

<h2 id="charts">Charts</h2>
{{- template "figures" .Figures}}{{define "figures"}}{{range .}}
<figure id="{{.ID}}"{{if .Tall}} class="tall"{{end}}>
{{.SVG}}<figcaption>{{.Caption}}</figcaption>
</figure>
{{- end}}{{end}}
{{- if .Links}}

<h2 id="files">Files</h2>
<ul>
{{- range .Links}}
<li><a href="{{.}}">{{.}}</a></li>
{{- end}}
</ul>
{{- end}}

<h2 id="scenario">Scenario as run</h2>
{{if .YAML}}<pre>{{.YAML}}</pre>{{else}}<p>(not available)</p>{{end}}
</body>
</html>
{{define "table"}}<div class="tablewrap"><table{{if .Compact}} class="compact"{{end}}>
<thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr>{{range .}}<td{{if .Param}} class="param"{{else if .Wrap}} class="wrap"{{end}}>{{.Text}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table></div>
{{end}}`))
