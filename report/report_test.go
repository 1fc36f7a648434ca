package report

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cmsim/plots/plotstest"
	"cmsim/results"
)

var regen = flag.Bool("regen", false, "rewrite testdata/*.golden.html")

const scenarioYAML = `name: watch-basic
seed: 7
cluster:
  nodes: 16
  kubelet:
    changeDetectionStrategy: Watch   # <b>not bold</b> & escaped
`

func input(d plotstest.Data) Input {
	return Input{
		Summary:      &d.Summary,
		ScenarioYAML: []byte(scenarioYAML),
		Latency:      d.Digests(),
		Load:         d.Load,
		Links:        []string{"summary.json", "latencies.csv", "load.csv", "charts/latency_cdf.svg", "charts/latency cdf #2.png"},
	}
}

func render(t *testing.T, in Input) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for name, d := range map[string]plotstest.Data{"single": plotstest.Single(), "sweep": plotstest.Sweep(), "envonly": plotstest.EnvOnly(), "faults": plotstest.Faults(), "capacity": plotstest.Capacity()} {
		t.Run(name, func(t *testing.T) {
			got := render(t, input(d))
			if again := render(t, input(d)); !bytes.Equal(got, again) {
				t.Fatal("two writes of the same input differ")
			}
			golden := filepath.Join("testdata", name+".golden.html")
			if *regen {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./report -regen)", err)
			}
			if !bytes.Equal(got, want) {
				f := filepath.Join(t.TempDir(), name+".got.html")
				os.WriteFile(f, got, 0o644)
				t.Errorf("%s differs from golden; got written to %s (go test ./report -regen to accept)", golden, f)
			}
		})
	}
}

// TestReadingText pins the plain-language reading, which is easier to review
// than the golden HTML.
func TestReadingText(t *testing.T) {
	for name, tc := range map[string]struct {
		d    plotstest.Data
		want []string
	}{
		"single": {plotstest.Single(), []string{
			"99% of the 280 observed (update, consumer) pairs saw the update",
			"40 (update, consumer) pairs never update because they read the object as environment variables",
			"With the Watch strategy kubelets keep a watch",
			"held 15.9 open watches on average (peak 16)",
		}},
		"sweep": {plotstest.Sweep(), []string{
			"This run compares 6 points that differ in changeDetectionStrategy and nodes.",
			"Figures are means over 3 replications.",
			"Watch, nodes=100; Get, nodes=100; Watch, nodes=10; Get, nodes=10 and 2 other points are indistinguishable on p99 latency: 119–163 s, within their 95% confidence intervals.",
			"Cost to the apiserver, side by side: Get, nodes=10 0.75 requests/s, 0 open watches, 0 watch events/s and 0 bookmarks/s;",
			"Watch, nodes=10 has the lowest requests/s (0.021 ± 0.004), clearly below Watch, nodes=100 (0.19 ± 0.038) and every other point.",
		}},
		"envonly": {plotstest.EnvOnly(), []string{
			"No consumer observed an update during the run",
			"With the Get strategy",
		}},
		"faults": {plotstest.Faults(), []string{
			"The apiserver restart at 4m (replica 0, disrupted for 35s) dropped 136 watches; requests peaked at 136 WATCH/s and 2 token POST/s. " +
				"Every dropped watch was open again at once, and every pod's files held every earlier write 1m11s after the fault.",
			"The apiserver restart at 10m (all replicas, disrupted for 35s) dropped 400 watches and caused 400 relists; requests peaked at 512 LIST/s, 473 WATCH/s and 2 token POST/s. " +
				"Every dropped watch was open again 1m45s after the fault, and every pod's files held every earlier write 2m20s after it.",
			"The node leave at 13m (2 nodes, over 30s) dropped 2 watches; requests peaked at 2 LIST/s, 2 WATCH/s and 2 token POST/s. " +
				"Every dropped watch was open again 3.1s after the fault, and every pod's files held every earlier write 1m4s after it.",
			"The kubelet restart at 17m (4 nodes, over 1m10s) dropped 4 watches and caused 4 relists and 18 failed volume mounts; requests peaked at 1 LIST/s, 1 WATCH/s and 3 token POST/s. " +
				"It did not recover before the run ended.",
			"Over the run, 20,636 requests found no apiserver replica to answer (connection refused), " +
				"19,273 requests got 429 while a restarted replica's watch cache initialised (client-go's retries included) " +
				"and 3,121 WATCHes got 410 Gone, too old to resume, so their reflectors relisted. In all, 18 volume mounts failed.",
		}},
	} {
		r := Read(&tc.d.Summary, tc.d.Digests())
		text := strings.Join(append(r.Paragraphs, r.Points...), "\n")
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: reading lacks %q:\n%s", name, w, text)
			}
		}
		if name == "sweep" && len(r.Points) != 6 {
			t.Errorf("sweep: %d point sentences, want 6", len(r.Points))
		}
	}
}

// TestReadingFaultsSummed: past maxNarratedFaults the reading sums the
// faults up, names the slowest recovery and those that never recovered;
// with several points each point's line gets a clause.
func TestReadingFaultsSummed(t *testing.T) {
	d := plotstest.Faults()
	pt := &d.Summary.Points[0]
	base := pt.FaultEvents
	for i := range 6 {
		e := base[2]
		e.Kind, e.Target, e.AtSeconds = "kubeletRestart", "1 nodes", 900+float64(i)*20
		e.RecoverySeconds = 30 + float64(i)
		pt.FaultEvents = append(pt.FaultEvents, e)
	}
	r := Read(&d.Summary, nil)
	text := strings.Join(r.Paragraphs, "\n")
	for _, w := range []string{
		"The run had 10 faults (2 apiserver restarts, 1 node leave and 7 kubelet restarts); together they dropped 554 watches and caused 404 relists; requests peaked at 512 LIST/s, 473 WATCH/s and 3 token POST/s.",
		"The slowest recovery took 2m20s, after the apiserver restart at 10m.",
		"The kubelet restart at 17m did not recover before the run ended.",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("reading lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "The node leave at") {
		t.Error("faults told one by one past maxNarratedFaults")
	}

	two := plotstest.Faults()
	calm := plotstest.Single().Summary.Points[0]
	two.Summary.Points = append(two.Summary.Points, calm)
	two.Summary.Points[0].Params = map[string]string{"x": "bad"}
	two.Summary.Points[1].Params = map[string]string{"x": "calm"}
	r = Read(&two.Summary, nil)
	if want := "; 4 faults dropped 542 watches and caused 404 relists, and not all recovered before the run ended."; !strings.HasSuffix(r.Points[0], want) {
		t.Errorf("point 0: %q lacks %q", r.Points[0], want)
	}
	if strings.Contains(r.Points[1], "fault") {
		t.Errorf("calm point 1 mentions faults: %q", r.Points[1])
	}
	html := string(render(t, input(two)))
	if n := strings.Count(html, "<h3>"); n != 1 || !strings.Contains(html, "<h3>#0: x=bad</h3>") {
		t.Errorf("%d point headings in the faults section, want one for #0", n)
	}
	if !strings.Contains(html, "<p>Over the run, 20,636 requests") {
		t.Error("a point's failures are not counted under its fault table")
	}
}

// TestFaultsSection: the faults table has a row per fault, an unrecovered
// fault reads "not by the end", and calm runs have no section at all.
func TestFaultsSection(t *testing.T) {
	html := string(render(t, input(plotstest.Faults())))
	i := strings.Index(html, `<h2 id="faults">Faults and recovery</h2>`)
	if i < 0 {
		t.Fatal("no faults section")
	}
	sec := html[i:strings.Index(html, `<h2 id="charts">`)]
	for _, w := range []string{
		"<th>mount failures</th><th>peak LIST/s</th><th>peak WATCH/s</th><th>peak POST/s</th><th>rewatch</th><th>mounts ok</th><th>converge</th><th>recovery</th>",
		`<tr><td class="param">apiserver restart</td><td>10m</td><td>35s</td><td class="param">all` + "\u00a0" + `replicas</td><td>400</td><td>400</td><td>0</td><td>512</td><td>473</td><td>2</td><td>1m45s</td><td>–</td><td>2m20s</td><td>2m20s</td></tr>`,
		`<td>–</td><td>–</td><td>–</td><td>not by the end</td></tr>`,
	} {
		if !strings.Contains(sec, w) {
			t.Errorf("faults section lacks %s", w)
		}
	}
	if n := strings.Count(sec, "<tr><td"); n != 4 {
		t.Errorf("%d fault rows, want 4", n)
	}
	for _, d := range []plotstest.Data{plotstest.Single(), plotstest.Sweep(), plotstest.EnvOnly()} {
		html := string(render(t, input(d)))
		if strings.Contains(html, "Faults and recovery") || strings.Contains(html, "token POST/s") {
			t.Errorf("%s: calm report has a faults section or token column", d.Summary.Scenario)
		}
	}
}

// TestFailureSentence: the 429s of priority and fairness are told apart
// from those of an initialising watch cache.
func TestFailureSentence(t *testing.T) {
	pt := plotstest.Faults().Summary.Points[0]
	pt.APIServer.Rejected429Total, pt.APIServer.RejectedAPFTotal = 1000, 273
	got := failureSentence(&pt)
	for _, w := range []string{
		"727 requests got 429 while a restarted replica's watch cache initialised",
		"273 requests got 429 from priority and fairness",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("%q lacks %q", got, w)
		}
	}
	pt.APIServer.RejectedAPFTotal = 1000
	if got := failureSentence(&pt); strings.Contains(got, "watch cache") {
		t.Errorf("APF's 429s told as the watch cache's: %q", got)
	}
}

// capacityYAML is a valid scenario whose apiserver has the kubelets'
// priority level: seats on each of replicas, with a background load when
// background is set.
func capacityYAML(seats, replicas int, background bool) []byte {
	bg := ""
	if background {
		bg = ", background: {perSecond: 50}"
	}
	return fmt.Appendf(nil, `apiVersion: cmsim/v1
kind: Scenario
name: apf-seats
duration: 20m
cluster:
  nodes: 100
  kubelet: {changeDetectionStrategy: Get}
  apiserver:
    replicas: %d
    capacity: {seats: %d%s}
objects:
  - {kind: ConfigMap, name: app-config}
workloads:
  - name: web
    replicas: 16
    mounts:
      - {object: app-config}
`, replicas, seats, bg)
}

// capacityPoint returns point i of the capacity fixture as a run of its
// own whose parameters do not name the seats (they were not swept).
func capacityPoint(i int) plotstest.Data {
	d := plotstest.Capacity()
	pt := d.Summary.Points[i]
	pt.Params = map[string]string{plotstest.StratKey: "Get", plotstest.NodesKey: "100"}
	d.Summary.Points = []results.Point{pt}
	var load []results.LoadRow
	for _, r := range d.Load {
		if r.Point == i {
			r.Point = 0
			load = append(load, r)
		}
	}
	d.Load = load
	d.Latencies = nil
	return d
}

// TestCapacityReading pins the reading of a finite apiserver capacity: the
// level's seats from the scenario as run (or the swept parameter), how
// busy it was, its queues, its 429s, and GET p99 against the SLO.
func TestCapacityReading(t *testing.T) {
	reading := func(d plotstest.Data, yaml []byte) string {
		lv := levels(&d.Summary, yaml, d.Load)
		r := read(&d.Summary, d.Digests(), lv)
		return strings.Join(append(r.Paragraphs, r.Points...), "\n")
	}
	for _, tc := range []struct {
		name      string
		d         plotstest.Data
		yaml      []byte
		want, not []string
	}{
		{"saturated", capacityPoint(0), capacityYAML(2, 1, false), []string{
			"The kubelets' priority level (2 seats) was 54% busy on average and full at its peak. " +
				"Up to 66 requests waited in its queues at once; GETs waited 9.7 s there at p99 (580 ms on average), " +
				"and 3,218 requests got 429 from it, which client-go retried at 2.6 a second. " +
				"Over the run, GET p99 was 9.8 s (throttling and retries included): over the scalability SLO for read-only single-object calls, p99 ≤ 1 s; " +
				"its wait in the queues alone was 9.7 s at p99.",
		}, []string{"from priority and fairness (its queues full"}},
		{"queued", capacityPoint(1), capacityYAML(4, 1, false), []string{
			"The kubelets' priority level (4 seats) was 34% busy on average and full at its peak. " +
				"Up to 22 requests waited in its queues at once; GETs waited 1.5 s there at p99 (309 ms on average), and no request got 429 from it. " +
				"Over the run, GET p99 was 1.6 s (throttling and retries included): over the scalability SLO",
		}, nil},
		{"ample", capacityPoint(2), capacityYAML(16, 2, true), []string{
			"The kubelets' priority level (16 seats on each of 2 replicas, shared with other clients' requests) was 5% busy on average, at most 13 of its 32 seats at once. " +
				"No request waited in its queues, and no request got 429 from it. " +
				"Over the run, GET p99 was 58 ms (throttling and retries included): within the scalability SLO for read-only single-object calls, p99 ≤ 1 s (which the SLO asks of every 5 minutes).",
		}, []string{"its wait in the queues"}},
		// A request that found a seat passed through a queue: not a wait.
		{"passed", func() plotstest.Data {
			d := capacityPoint(2)
			d.Summary.Points[0].APIServer.QueuedPeak = 1
			return d
		}(), capacityYAML(16, 1, false), []string{"No request waited in its queues, and no request got 429 from it."}, nil},
		// Neither the scenario nor the parameters give the seats.
		{"unknown", capacityPoint(0), []byte(scenarioYAML), []string{
			"The kubelets' priority level had 1.1 seats in use on average and 2 at its peak. Up to 66 requests",
		}, []string{"busy", "full"}},
		{"sweep", plotstest.Capacity(), []byte(scenarioYAML), []string{
			"GET p99 over the run (throttling and retries included) met the scalability SLO for read-only single-object calls (p99 ≤ 1 s) at 1 of 3 points; " +
				"it missed it at seats=2 (9.8 s) and seats=4 (1.6 s).",
			"seats=2: p99 126 s (median 37 s, worst 149 s); 40 pairs never update; 8.9 GET/s, 0 open watches, 0 watch events/s, 8.9 requests/s in all; " +
				"priority level 54% busy (full at its peak), GET p99 9.8 s, 429s at 2.7/s.",
			"seats=16: p99 133 s (median 35 s, worst 159 s); 40 pairs never update; 12.1 GET/s, 0 open watches, 0 watch events/s, 12.1 requests/s in all; " +
				"priority level 10% busy, GET p99 58 ms, no 429.",
		}, []string{"The kubelets' priority level"}},
	} {
		text := reading(tc.d, tc.yaml)
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: reading lacks %q:\n%s", tc.name, w, text)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(text, w) {
				t.Errorf("%s: reading has %q:\n%s", tc.name, w, text)
			}
		}
	}
	// A sweep over the seats in the scenario gives each point its own.
	sweep := append(capacityYAML(4, 1, false), "sweep:\n  cluster.apiserver.capacity.seats: [2, 4, 16]\n"...)
	d := plotstest.Capacity()
	got := levels(&d.Summary, sweep, nil)
	if want := []level{{seats: 2, replicas: 1}, {seats: 4, replicas: 1}, {seats: 16, replicas: 1}}; !slices.Equal(got, want) {
		t.Errorf("levels of a sweep over seats: %v, want %v", got, want)
	}
}

// TestCapacitySection: the section has a row per point in the level table
// and a latency table per point with the verbs the kubelets used; runs
// without capacity have neither the section nor a capacity sentence.
func TestCapacitySection(t *testing.T) {
	html := string(render(t, input(plotstest.Capacity())))
	i := strings.Index(html, `<h2 id="capacity">Apiserver capacity</h2>`)
	if i < 0 {
		t.Fatal("no capacity section")
	}
	sec := html[i:strings.Index(html, `<h2 id="charts">`)]
	for _, w := range []string{
		// The seats are the swept parameter's column.
		"<thead><tr><th>#</th><th>seats</th><th>busy (mean)</th><th>seats in use (mean)</th><th>seats in use (peak)</th><th>requests waiting (mean)</th><th>requests waiting (peak)</th><th>429/s</th><th>retries/s</th></tr></thead>",
		`<tr><td class="param">0</td><td class="param">2</td><td>54%</td><td>1.1</td><td>2</td><td>5.4</td><td>66</td><td>2.7</td><td>2.6</td></tr>`,
		`<tr><td class="param">2</td><td class="param">16</td><td>10%</td><td>1.5</td><td>13</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>`,
		"<h3>#1: seats=4</h3>",
		"<th>verb</th><th>requests</th><th>mean</th><th>p50</th><th>p99</th><th>max</th><th>throttle p99</th><th>queue p99</th><th>service p99</th>",
		`<tr><td class="param">GET</td><td>13,159</td><td>343 ms</td><td>2.1 ms</td><td>1.6 s</td><td>5.6 s</td><td>0 s</td><td>1.5 s</td><td>66 ms</td></tr>`,
		`<tr><td class="param">POST</td><td>19</td>`,
	} {
		if !strings.Contains(sec, w) {
			t.Errorf("capacity section lacks %s", w)
		}
	}
	if n := strings.Count(sec, "<h3>"); n != 3 {
		t.Errorf("%d latency tables, want 3", n)
	}
	if strings.Contains(sec, ">LIST<") || strings.Contains(sec, ">WATCH<") {
		t.Error("a verb the kubelets never used has a row")
	}
	for _, d := range []plotstest.Data{plotstest.Single(), plotstest.Sweep(), plotstest.EnvOnly(), plotstest.Faults()} {
		html := string(render(t, input(d)))
		if strings.Contains(html, "Apiserver capacity") || strings.Contains(html, "priority level") || strings.Contains(html, "seats in use") {
			t.Errorf("%s: a run without capacity tells of it", d.Summary.Scenario)
		}
	}
}

func TestClock(t *testing.T) {
	for v, want := range map[float64]string{0: "0s", 2.5: "2.5s", 45: "45s", 140.4: "2m20s", 1200: "20m", 3600: "1h", 5400: "1h30m", 3605: "1h0m5s", -1: "-1s"} {
		if got := clock(v); got != want {
			t.Errorf("clock(%v) = %q, want %q", v, got, want)
		}
	}
}

var externalRef = regexp.MustCompile(`(?i)(src|href|xlink:href)\s*=\s*["']?\s*(https?:|//|file:|data:)|url\(\s*["']?\s*(https?:|//)|@import`)

func TestSelfContained(t *testing.T) {
	for _, d := range []plotstest.Data{plotstest.Single(), plotstest.Sweep()} {
		html := string(render(t, input(d)))
		if strings.Contains(strings.ToLower(html), "<script") {
			t.Error("report contains <script")
		}
		if m := externalRef.FindString(html); m != "" {
			t.Errorf("report references an external resource: %q", m)
		}
		for _, tag := range []string{"<img", "<link", "<iframe", "<object", "<embed"} {
			if strings.Contains(html, tag) {
				t.Errorf("report contains %s", tag)
			}
		}
		if !strings.Contains(html, "@media print") {
			t.Error("report lacks a print style sheet")
		}
		if strings.Contains(html, "<b>not bold</b>") || !strings.Contains(html, "&lt;b&gt;not bold&lt;/b&gt; &amp; escaped") {
			t.Error("scenario YAML is not escaped")
		}
		if !strings.Contains(html, `href="charts/latency%20cdf%20#2.png"`) {
			t.Error("link not URL-escaped")
		}
	}
}

func TestBadInput(t *testing.T) {
	if err := Write(&bytes.Buffer{}, Input{}); err == nil {
		t.Error("nil summary accepted")
	}
	d := plotstest.Single()
	for _, l := range []string{"https://example.com/x.css", "//evil/x", "/etc/passwd", "javascript:alert(1)", ""} {
		in := input(d)
		in.Links = []string{l}
		if err := Write(&bytes.Buffer{}, in); err == nil {
			t.Errorf("link %q accepted", l)
		}
	}
	in := input(d)
	in.Latency, in.Load, in.ScenarioYAML = nil, nil, nil
	if err := Write(&bytes.Buffer{}, in); err != nil {
		t.Errorf("no rows: %v", err)
	}
}

func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// harness loads report.html in a same-origin iframe 1280 px wide and, on
// load, checks that every inline SVG has a non-zero box, that every table
// fits without scrolling sideways and that the report fetched no resource,
// then writes the verdict into #result.
const harness = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>harness</title></head>
<body>
<pre id="result">PENDING</pre>
<iframe id="f" src="report.html" style="width:1280px;height:900px;border:0"></iframe>
<script>
var errors = [];
window.addEventListener("error", function (e) { errors.push("harness error: " + e.message); }, true);
document.getElementById("f").addEventListener("load", function () {
  var out = document.getElementById("result");
  try {
    var w = document.getElementById("f").contentWindow;
    var doc = w.document;
    var svgs = doc.querySelectorAll("svg");
    var lines = ["svgs=" + svgs.length];
    var bad = 0;
    for (var i = 0; i < svgs.length; i++) {
      var r = svgs[i].getBoundingClientRect();
      var cs = w.getComputedStyle(svgs[i]);
      var ok = r.width > 0 && r.height > 0 && cs.display !== "none" && cs.visibility !== "hidden";
      if (!ok) { bad++; }
      lines.push("svg " + i + " " + Math.round(r.width) + "x" + Math.round(r.height) + (ok ? " ok" : " INVISIBLE"));
    }
    var wraps = doc.querySelectorAll(".tablewrap");
    for (var t = 0; t < wraps.length; t++) {
      if (wraps[t].scrollWidth > wraps[t].clientWidth + 1) {
        var h = wraps[t].querySelector("th");
        errors.push("table " + t + " (" + (h ? h.textContent : "") + "...) is " + wraps[t].scrollWidth + " px wide in " + wraps[t].clientWidth + " px");
      }
    }
    lines.push("tables=" + wraps.length);
    var res = w.performance.getEntriesByType("resource");
    for (var j = 0; j < res.length; j++) { errors.push("resource fetched: " + res[j].name); }
    if (!doc.title) { errors.push("no title"); }
    lines.push("bad=" + bad);
    lines.push("errors=" + errors.length);
    for (var k = 0; k < errors.length; k++) { lines.push(errors[k]); }
    out.textContent = "DONE\n" + lines.join("\n");
  } catch (e) {
    out.textContent = "DONE\nerrors=1\nexception: " + e;
  }
});
</script>
</body></html>`

func TestRendersInChromium(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found on PATH (CI=true); run .ci/install-chromium.sh")
		}
		t.Skip("chromium not found on PATH; set CI=true to make this fatal")
	}
	for name, d := range map[string]plotstest.Data{"sweep": plotstest.Sweep(), "faults": plotstest.Faults(), "capacity": plotstest.Capacity()} {
		t.Run(name, func(t *testing.T) { checkInChromium(t, bin, render(t, input(d))) })
	}
}

// checkInChromium loads html in headless Chromium through the harness.
func checkInChromium(t *testing.T, bin string, html []byte) {
	wantSVGs := bytes.Count(html, []byte("<svg "))

	var mu sync.Mutex
	var unexpected []string
	mux := http.NewServeMux()
	mux.HandleFunc("/report.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(html)
	})
	mux.HandleFunc("/harness.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, harness)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/favicon.ico" {
			mu.Lock()
			unexpected = append(unexpected, r.URL.Path)
			mu.Unlock()
		}
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=10000",
		"--dump-dom", srv.URL+"/harness.html")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("chromium timed out; stderr:\n%s", stderr.String())
	}
	if err != nil {
		t.Fatalf("chromium: %v; stderr:\n%s", err, stderr.String())
	}
	m := regexp.MustCompile(`(?s)<pre id="result">(.*?)</pre>`).FindSubmatch(stdout.Bytes())
	if m == nil {
		t.Fatalf("no result in dumped DOM:\n%s", stdout.String())
	}
	result := string(m[1])
	t.Logf("harness result:\n%s", result)
	if !strings.HasPrefix(result, "DONE") {
		t.Fatalf("harness did not finish: %s", result)
	}
	if !strings.Contains(result, fmt.Sprintf("svgs=%d\n", wantSVGs)) {
		t.Errorf("want svgs=%d", wantSVGs)
	}
	if !strings.Contains(result, "bad=0\n") || !strings.Contains(result, "errors=0") {
		t.Error("some chart is invisible or the page had errors")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(unexpected) > 0 {
		t.Errorf("report fetched %v", unexpected)
	}
}
