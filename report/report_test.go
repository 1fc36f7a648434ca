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
	"strings"
	"sync"
	"testing"
	"time"

	"cmsim/plots/plotstest"
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
		Latencies:    d.Latencies,
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
	for name, d := range map[string]plotstest.Data{"single": plotstest.Single(), "sweep": plotstest.Sweep(), "envonly": plotstest.EnvOnly()} {
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
			"has the best p99 latency",
			"costs the apiserver least",
			"Watch, nodes=10 costs the apiserver least",
		}},
		"envonly": {plotstest.EnvOnly(), []string{
			"No consumer observed an update during the run",
			"With the Get strategy",
		}},
	} {
		r := Read(&tc.d.Summary, tc.d.Latencies)
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
	in.Latencies, in.Load, in.ScenarioYAML = nil, nil, nil
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

// harness loads report.html in a same-origin iframe and, on load, checks
// that every inline SVG has a non-zero box and that the report fetched no
// resource, then writes the verdict into #result.
const harness = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>harness</title></head>
<body>
<pre id="result">PENDING</pre>
<iframe id="f" src="report.html" style="width:1200px;height:900px"></iframe>
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
	d := plotstest.Sweep()
	html := render(t, input(d))
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
