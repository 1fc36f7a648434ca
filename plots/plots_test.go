package plots

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"cmsim/plots/plotstest"
	"cmsim/results"
)

var regen = flag.Bool("regen", false, "rewrite testdata/*.golden.svg")

// pngDir, when set, receives a PNG of every golden chart for a human to look at.
var pngDir = os.Getenv("CMSIM_PLOTS_PNG_DIR")

func fixtures() map[string]plotstest.Data {
	return map[string]plotstest.Data{
		"single":  plotstest.Single(),
		"sweep":   plotstest.Sweep(),
		"envonly": plotstest.EnvOnly(),
	}
}

func TestGolden(t *testing.T) {
	for name, d := range fixtures() {
		charts, err := All(&d.Summary, d.Digests(), d.Load)
		if err != nil {
			t.Fatalf("%s: All: %v", name, err)
		}
		for _, c := range charts {
			file := name + "_" + c.Name
			t.Run(file, func(t *testing.T) {
				var got bytes.Buffer
				if err := c.Render("svg", &got); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, file, got.Bytes())
				if pngDir != "" {
					var png bytes.Buffer
					if err := c.Render("png", &png); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(pngDir, file+".png"), png.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}
}

// checkGolden compares an SVG with testdata/file.golden.svg (rewritten with
// -regen).
func checkGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", file+".golden.svg")
	if *regen {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./plots -regen)", err)
	}
	if !bytes.Equal(got, want) {
		gotFile := filepath.Join(t.TempDir(), file+".got.svg")
		os.WriteFile(gotFile, got, 0o644)
		t.Errorf("%s differs from golden; got written to %s (go test ./plots -regen to accept)", golden, gotFile)
	}
}

// TestTradeoffCrowded: with many points the trade-off chart joins each
// strategy's points and labels only the line ends (golden).
func TestTradeoffCrowded(t *testing.T) {
	d := plotstest.BigSweep()
	p, err := Tradeoff("cluster-size", d.Summary.Points, PointLabels(&d.Summary))
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := Render(p, "svg", DefaultWidth, DefaultHeight, &got); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "bigsweep_tradeoff", got.Bytes())
	// One label per strategy: the end of its line.
	if n := bytes.Count(got.Bytes(), []byte("nodes=5000")); n != 3 {
		t.Errorf("%d point labels, want 3 (one per line end)", n)
	}
}

func TestChartSets(t *testing.T) {
	for name, want := range map[string]int{"single": 4, "envonly": 4, "sweep": 3 + 6 + len(SweepMetrics) + 1} {
		d := fixtures()[name]
		charts, err := All(&d.Summary, d.Digests(), d.Load)
		if err != nil {
			t.Fatal(err)
		}
		if len(charts) != want {
			t.Errorf("%s: %d charts, want %d", name, len(charts), want)
		}
		seen := map[string]bool{}
		for _, c := range charts {
			if seen[c.Name] || c.Caption == "" {
				t.Errorf("%s: chart %q duplicated or without caption", name, c.Name)
			}
			seen[c.Name] = true
		}
	}
}

func TestSVGDeterministic(t *testing.T) {
	render := func() []byte {
		d := plotstest.Sweep()
		charts, err := All(&d.Summary, d.Digests(), d.Load)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		for _, c := range charts {
			if err := c.Render("svg", &b); err != nil {
				t.Fatal(err)
			}
		}
		return b.Bytes()
	}
	if !bytes.Equal(render(), render()) {
		t.Fatal("two renders of the same data differ")
	}
}

// TestDegenerate feeds every chart empty, NaN and Inf data: each must render
// (a "no samples" note where nothing is left) or return an error, never panic.
func TestDegenerate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	seriesCases := map[string][]valueSeries{
		"nil":       nil,
		"empty":     {{Label: "a", Strategy: "Watch"}},
		"nan":       {{Label: "a", Strategy: "Get", Values: []float64{nan, inf, -inf}}},
		"one":       {{Label: "a", Values: []float64{3}}},
		"zero":      {{Label: "a", Values: []float64{0, 0, 0}}},
		"mixed":     {{Label: "a", Values: []float64{nan, 1, 2}}, {Label: "b", Strategy: "Cache"}},
		"same":      {{Label: "a", Values: []float64{5, 5}}},
		"negative":  {{Label: "a", Values: []float64{-1, 2}}},
		"bigvalues": {{Label: "a", Values: []float64{1e7, 2e7}}},
	}
	for name, vs := range seriesCases {
		var ss []Series
		for _, v := range vs {
			ss = append(ss, Series{Label: v.Label, Strategy: v.Strategy, Latency: histOf(v.Values...)})
		}
		p, err := LatencyCDF(name, ss)
		mustRender(t, "cdf/"+name, p, err)
		p, err = LatencyHistogram(name, ss)
		mustRender(t, "hist/"+name, p, err)
		var spread []SpreadSeries
		for _, s := range vs {
			sp := SpreadSeries{Label: s.Label, Strategy: s.Strategy}
			for i, v := range s.Values {
				sp.Updates = append(sp.Updates, UpdateSpread{Update: i, WrittenAt: float64(i), Min: v, Median: v, Max: v, Consumers: 1})
			}
			spread = append(spread, sp)
		}
		p, err = LatencyOverTime(name, spread)
		mustRender(t, "overtime/"+name, p, err)
	}
	loadCases := map[string][]results.LoadRow{
		"nil":   nil,
		"one":   {{StartSeconds: 0, GetEtcdPerSec: 1}},
		"nan":   {{StartSeconds: nan}, {StartSeconds: 1, GetEtcdPerSec: nan, OpenWatchesMax: inf}},
		"zeros": {{StartSeconds: 0}, {StartSeconds: 10}},
		// Finite capacity: latency gaps and NaN on a log axis, none at all.
		"capacity-log": {{StartSeconds: 0, SeatsInUseMax: 1, RequestLatencyMean: 0.001, RequestLatencyMax: 3},
			{StartSeconds: 10, SeatsInUseMax: 1}, {StartSeconds: 20, SeatsInUseMean: 0.2, RequestLatencyMean: nan, RequestLatencyMax: 0.5}},
		"capacity-still": {{StartSeconds: 0, SeatsInUseMean: inf}, {StartSeconds: 10}},
	}
	for name, rows := range loadCases {
		page, err := APIServerLoad(name, "Watch", rows, nil, 4)
		if err != nil {
			t.Errorf("load/%s: %v", name, err)
			continue
		}
		if err := RenderPage(page, "svg", DefaultWidth, DefaultPageHeight, &bytes.Buffer{}); err != nil {
			t.Errorf("load/%s: render: %v", name, err)
		}
	}
	pointCases := map[string][]results.Point{
		"nil":      nil,
		"one":      {{Params: map[string]string{"a": "1"}}},
		"nocount":  {{Params: map[string]string{"a": "1"}}, {Params: map[string]string{"a": "2"}}},
		"nan":      {{Params: map[string]string{"a": "x"}, Metrics: nanMetrics()}, {Params: map[string]string{"a": "y"}, Metrics: nanMetrics()}},
		"zerosx":   {{Params: map[string]string{"a": "0"}}, {Params: map[string]string{"a": "1000"}}},
		"negative": {{Params: map[string]string{"a": "-1s"}}, {Params: map[string]string{"a": "1s"}}},
		"decades":  {capacityPoint("1", 0, 0.001), capacityPoint("2", 0, 0), capacityPoint("3", 100, 40), capacityPoint("4", math.NaN(), 1e-9)},
	}
	for name, pts := range pointCases {
		for _, m := range append(slices.Clone(SweepMetrics), CapacityMetrics...) {
			p, err := MetricSweep(name, m, pts)
			if err == ErrNoSweep {
				continue
			}
			mustRender(t, "sweep/"+name+"/"+m.Key, p, err)
		}
		p, err := Tradeoff(name, pts, nil)
		mustRender(t, "tradeoff/"+name, p, err)
	}
	d := plotstest.EnvOnly()
	if _, err := All(&results.Summary{}, nil, nil); err != nil {
		t.Errorf("All(empty summary): %v", err)
	}
	if _, err := All(&d.Summary, nil, nil); err != nil {
		t.Errorf("All(no rows): %v", err)
	}
	if _, err := All(nil, nil, nil); err == nil {
		t.Error("All(nil) did not fail")
	}
}

// capacityPoint is a point of a sweep over a with a request latency p99
// and its confidence half-width.
func capacityPoint(a string, p99, ci float64) results.Point {
	pt := results.Point{Params: map[string]string{"a": a}, CI95: &results.Metrics{}}
	pt.APIServer.RequestLatency.P99, pt.CI95.APIServer.RequestLatency.P99 = p99, ci
	return pt
}

func nanMetrics() results.Metrics {
	var m results.Metrics
	m.LatencySeconds = results.Latency{Count: 1, P50: math.NaN(), P99: math.Inf(1), Mean: math.NaN()}
	m.APIServer.GetPerSec = math.NaN()
	m.APIServer.OpenWatchesMean = math.Inf(1)
	m.APIServer.WatchEventsPerSec = math.NaN()
	return m
}

func mustRender(t *testing.T, name string, p *plot.Plot, err error) {
	t.Helper()
	if err != nil {
		return // a clear error is acceptable
	}
	for _, f := range []string{"svg", "png"} {
		if err := Render(p, f, DefaultWidth, DefaultHeight, &bytes.Buffer{}); err != nil {
			t.Errorf("%s: render %s: %v", name, f, err)
		}
	}
}

func TestNoSamplesNote(t *testing.T) {
	p, err := LatencyCDF("empty", []Series{{Label: "x", Latency: histOf(math.NaN())}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Render(p, "svg", DefaultWidth, DefaultHeight, &b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), NoSamples) {
		t.Error("empty chart lacks the no-samples note")
	}
}

func TestRenderErrors(t *testing.T) {
	p := plot.New()
	if err := Render(p, "gif", DefaultWidth, DefaultHeight, &bytes.Buffer{}); err == nil {
		t.Error("gif accepted")
	}
	if err := Render(p, "svg", 0, DefaultHeight, &bytes.Buffer{}); err == nil {
		t.Error("zero width accepted")
	}
	if err := Render(nil, "svg", DefaultWidth, DefaultHeight, &bytes.Buffer{}); err == nil {
		t.Error("nil plot accepted")
	}
	if err := RenderPage(nil, "svg", DefaultWidth, DefaultHeight, &bytes.Buffer{}); err == nil {
		t.Error("empty page accepted")
	}
}

func TestTimeTicks(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		want     string
	}{
		{0, 60, "0|10 s|20 s|30 s|40 s|50 s|60 s"},
		{0, 1200, "0|5 min|10 min|15 min|20 min"},
		{0, 7200, "0|20 min|40 min|60 min|80 min|100 min|120 min"},
		{0, 36000, "0|2 h|4 h|6 h|8 h|10 h"},
		{0, 2, "0|0.5 s|1 s|1.5 s|2 s"},
	} {
		var labels []string
		for _, tk := range (TimeTicks{}).Ticks(tc.min, tc.max) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, "|"); got != tc.want {
			t.Errorf("TimeTicks(%v, %v) = %s, want %s", tc.min, tc.max, got, tc.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for v, want := range map[float64]string{0: "0 s", 0.4217: "0.42 s", 37.4: "37 s", 750: "12.5 min", 7200 * 2: "4.0 h"} {
		if got := FormatSeconds(v); got != want {
			t.Errorf("FormatSeconds(%v) = %q, want %q", v, got, want)
		}
	}
	for v, want := range map[float64]string{0: "0", 0.254: "0.25", 3.44: "3.4", 12.34: "12.3", 152.2: "152", 12400: "12,400"} {
		if got := FormatRate(v); got != want {
			t.Errorf("FormatRate(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestSpreadBinsManyUpdates: beyond MaxSpreadUpdates the spread chart pools
// updates into at most 60 time bins, keeping every pair.
func TestSpreadBinsManyUpdates(t *testing.T) {
	s := &results.Summary{Scenario: "x", Points: []results.Point{{Params: map[string]string{StrategyParam: "Watch"}}}}
	var rows []results.LatencyRow
	for u := 0; u < 500; u++ {
		for c := 0; c < 3; c++ {
			rows = append(rows, results.LatencyRow{Update: u + 1, WrittenAtSeconds: float64(u) * 7.2, LatencySeconds: float64(c + u%5)})
		}
	}
	sp := SpreadSeriesOf(s, digestsOf(t, rows, 1))
	if sp[0].BinSeconds != 60 || len(sp[0].Updates) != 60 {
		t.Fatalf("bin %v s, %d entries; want 60 s and 60", sp[0].BinSeconds, len(sp[0].Updates))
	}
	pairs := 0
	for _, u := range sp[0].Updates {
		pairs += u.Consumers
	}
	if pairs != len(rows) {
		t.Fatalf("%d pairs pooled, want %d", pairs, len(rows))
	}
	few := SpreadSeriesOf(s, digestsOf(t, rows[:3*MaxSpreadUpdates], 1))
	if few[0].BinSeconds != 0 || len(few[0].Updates) != MaxSpreadUpdates {
		t.Fatalf("%d updates were binned (%v s)", MaxSpreadUpdates, few[0].BinSeconds)
	}
}

// loadChart returns the apiserver-load chart of a fixture (point 0).
func loadChart(t *testing.T, d plotstest.Data) Chart {
	t.Helper()
	charts, err := All(&d.Summary, d.Digests(), d.Load)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range charts {
		if c.Name == "apiserver_load" || c.Name == "apiserver_load_p0" {
			return c
		}
	}
	t.Fatal("no apiserver_load chart")
	return Chart{}
}

func svgOf(t *testing.T, c Chart) string {
	t.Helper()
	var b bytes.Buffer
	if err := c.Render("svg", &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestLoadFaultsGolden: a bad day's load page marks every fault, names
// them above the top panel and adds the panels its rows call for.
func TestLoadFaultsGolden(t *testing.T) {
	c := loadChart(t, plotstest.Faults())
	svg := svgOf(t, c)
	checkGolden(t, "faults_apiserver_load", []byte(svg))
	if pngDir != "" {
		var png bytes.Buffer
		if err := c.Render("png", &png); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(pngDir, "faults_apiserver_load.png"), png.Bytes(), 0o644)
	}
	var ylabels []string
	for _, row := range c.Page {
		ylabels = append(ylabels, row[0].Y.Label.Text)
	}
	want := "GET/s|LIST/s|WATCH requests/s|POST token/s|failures/s|mount failures/s|open watches|watches per replica|watch events/s|nodes|pods"
	if got := strings.Join(ylabels, "|"); got != want {
		t.Errorf("panels %s, want %s", got, want)
	}
	if c.Height != LoadPageHeight(11) || c.Height <= DefaultPageHeight {
		t.Errorf("page height %v for 11 panels", c.Height)
	}
	for _, s := range []string{
		">apiserver restart (replica 0)<", ">apiserver restart (all replicas)<", ">node leave (2 nodes)<", ">kubelet restart (4 nodes)<",
		">refused<", ">429<", ">410 Gone<", ">replica 0<", ">replica 2<",
	} {
		if !strings.Contains(svg, s) {
			t.Errorf("page lacks %s", s)
		}
	}
	for _, s := range []string{"band until its disruption ended", "TokenRequests", "failed volume mounts", "each apiserver replica", "the nodes", "the pods"} {
		if !strings.Contains(c.Caption, s) {
			t.Errorf("caption lacks %q: %s", s, c.Caption)
		}
	}
}

// TestLoadCalm: without faults, failures, tokens, replicas or churn the
// page is the five panels of old, byte for byte whether the faults are nil
// or empty (the goldens of TestGolden pin the bytes).
func TestLoadCalm(t *testing.T) {
	for name, d := range fixtures() {
		c := loadChart(t, d)
		if len(c.Page) != 5 || c.Height != DefaultPageHeight {
			t.Errorf("%s: %d panels, height %v", name, len(c.Page), c.Height)
		}
		svg := svgOf(t, c)
		for _, s := range []string{"failures/s", "POST token/s", "restart", "per replica", "fault", "seats", "requests waiting", "request latency", "retries"} {
			if strings.Contains(svg, s) || strings.Contains(c.Caption, s) {
				t.Errorf("%s: calm page mentions %q", name, s)
			}
		}
		rows := LoadOf(d.Load, 0, 0)
		a, _ := APIServerLoad("x", "Watch", rows, nil, 0)
		b, _ := APIServerLoad("x", "Watch", rows, []results.FaultEvent{}, 0)
		var ab, bb bytes.Buffer
		RenderPage(a, "svg", DefaultWidth, DefaultPageHeight, &ab)
		RenderPage(b, "svg", DefaultWidth, DefaultPageHeight, &bb)
		if !bytes.Equal(ab.Bytes(), bb.Bytes()) {
			t.Errorf("%s: nil and empty faults draw differently", name)
		}
	}
}

// TestLoadPanelsOnDemand: each optional panel appears with its data alone.
func TestLoadPanelsOnDemand(t *testing.T) {
	base := func() []results.LoadRow {
		return []results.LoadRow{{StartSeconds: 0, Nodes: 3, Pods: 9}, {StartSeconds: 10, Nodes: 3, Pods: 9}}
	}
	for _, tc := range []struct {
		name string
		edit func(rs []results.LoadRow)
		want string
	}{
		{"tokens", func(rs []results.LoadRow) { rs[1].TokenRequestsPerSec = 0.1 }, "POST token/s"},
		{"refused", func(rs []results.LoadRow) { rs[0].RefusedPerSec = 2 }, "failures/s"},
		{"mounts", func(rs []results.LoadRow) { rs[0].MountFailuresPerSec = 0.1 }, "mount failures/s"},
		{"replicas", func(rs []results.LoadRow) {
			rs[0].OpenWatchesByReplica, rs[1].OpenWatchesByReplica = []float64{1, 2}, []float64{2, 1}
		}, "watches per replica"},
		{"nodes", func(rs []results.LoadRow) { rs[1].Nodes = 2 }, "nodes"},
		{"pods", func(rs []results.LoadRow) { rs[1].Pods = 12 }, "pods"},
	} {
		rs := base()
		tc.edit(rs)
		var got []string
		for _, p := range loadPanels(rs, 0) {
			got = append(got, p.ylabel)
		}
		if len(got) != 6 || !slices.Contains(got, tc.want) {
			t.Errorf("%s: panels %v, want the five and %s", tc.name, got, tc.want)
		}
	}
	// One replica is no split; many are drawn as the least and most watched.
	rs := base()
	rs[0].OpenWatchesByReplica = []float64{5}
	if n := len(loadPanels(rs, 0)); n != 5 {
		t.Errorf("one replica: %d panels", n)
	}
	rs[0].OpenWatchesByReplica = []float64{0, 0, 0} // no watches (Get, Cache)
	if n := len(loadPanels(rs, 0)); n != 5 {
		t.Errorf("replicas without watches: %d panels", n)
	}
	rs[0].OpenWatchesByReplica = []float64{1, 2, 3, 4, 5, 6}
	p := loadPanels(rs, 0)[4]
	if len(p.series) != 2 || p.series[0].value(&rs[0]) != 1 || p.series[1].value(&rs[0]) != 6 || p.series[0].value(&rs[1]) != 0 {
		t.Errorf("six replicas: %d series", len(p.series))
	}
}

// TestFaultLabelsCrowded: faults too close to name them all still name
// each kind once, and nothing is drawn for faults outside the run.
func TestFaultLabelsCrowded(t *testing.T) {
	var rows []results.LoadRow
	for s := 0.0; s < 3600; s += 10 {
		rows = append(rows, results.LoadRow{StartSeconds: s, ListPerSec: 1})
	}
	var faults []results.FaultEvent
	for i := range 30 {
		faults = append(faults, results.FaultEvent{Kind: "kubeletRestart", AtSeconds: float64(60 + 100*i), EndSeconds: float64(90 + 100*i), Target: "1 nodes"})
	}
	faults = append(faults,
		results.FaultEvent{Kind: "nodeJoin", AtSeconds: 1510, EndSeconds: 1510, Target: "5 nodes"},
		results.FaultEvent{Kind: "nodeLeave", AtSeconds: 9000, EndSeconds: 9100, Target: "5 nodes"},
		results.FaultEvent{Kind: "apiserverRestart", AtSeconds: math.NaN(), EndSeconds: math.Inf(1)},
	)
	page, err := APIServerLoad("crowded", "Watch", rows, faults, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RenderPage(page, "svg", DefaultWidth, LoadPageHeight(len(page)), &b); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	if !strings.Contains(svg, ">node join (5 nodes)<") {
		t.Error("the one node join is not named")
	}
	if n := strings.Count(svg, ">kubelet restart"); n == 0 || n >= 30 {
		t.Errorf("%d of 30 crowded kubelet restarts named", n)
	}
	if strings.Contains(svg, "node leave") || strings.Contains(svg, "apiserver") {
		t.Error("a fault outside the run is named")
	}
}

// TestLoadCapacityGolden: with finite capacity the page adds the
// saturation panels after the requests, the seats panel draws the seat
// limit its point's parameters give, and the 429s leave the failures panel.
func TestLoadCapacityGolden(t *testing.T) {
	d := plotstest.Capacity()
	charts, err := All(&d.Summary, d.Digests(), d.Load)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Chart{}
	for _, c := range charts {
		byName[c.Name] = c
	}
	for _, name := range []string{"apiserver_load_p0", "apiserver_load_p2", "sweep_request_latency_p99", "sweep_rejected_per_sec", "sweep_seats_in_use_peak"} {
		c, ok := byName[name]
		if !ok {
			t.Errorf("no chart %s", name)
			continue
		}
		checkGolden(t, "capacity_"+name, []byte(svgOf(t, c)))
		if pngDir != "" {
			var png bytes.Buffer
			if err := c.Render("png", &png); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(pngDir, "capacity_"+name+".png"), png.Bytes(), 0o644)
		}
	}
	c := byName["apiserver_load_p0"]
	var ylabels []string
	for _, row := range c.Page {
		ylabels = append(ylabels, row[0].Y.Label.Text)
	}
	want := "GET/s|LIST/s|WATCH requests/s|seats in use|requests waiting|request latency|429s and retries/s|open watches|watch events/s"
	if got := strings.Join(ylabels, "|"); got != want {
		t.Errorf("panels %s, want %s", got, want)
	}
	if c.Height != LoadPageHeight(9) {
		t.Errorf("page height %v for 9 panels", c.Height)
	}
	svg := svgOf(t, c)
	for _, s := range []string{">limit: 2 seats<", ">429, all APF<", ">retries<", ">1 s<", ">10 ms<"} {
		if !strings.Contains(svg, s) {
			t.Errorf("page lacks %s", s)
		}
	}
	if _, ok := c.Page[5][0].Y.Tick.Marker.(logTicks); !ok {
		t.Error("request latency spanning three decades is not on a log axis")
	}
	for _, s := range []string{"seats in use in the kubelets' priority level", "the wide grey line: its seats on every replica", "requests waiting", "request latency", "client-go's retries"} {
		if !strings.Contains(c.Caption, s) {
			t.Errorf("caption lacks %q: %s", s, c.Caption)
		}
	}
	// Seats 16: no 429s, a latency within two decades on a linear axis.
	p2 := byName["apiserver_load_p2"]
	if _, ok := p2.Page[5][0].Y.Tick.Marker.(logTicks); ok {
		t.Error("seats 16: request latency on a log axis")
	}
	if s := svgOf(t, p2); !strings.Contains(s, "none during the run") || !strings.Contains(s, ">limit: 16 seats<") || !strings.Contains(s, ">429<") {
		t.Error("seats 16: the 429 panel does not say none, or no limit line")
	}
	// The sweep's capacity charts: latency p99 over three decades on a log axis.
	if _, ok := byName["sweep_request_latency_p99"].Plot.Y.Tick.Marker.(logTicks); !ok {
		t.Error("request latency p99 sweep not on a log axis")
	}
}

// TestLoadCapacityFailures: with finite capacity a restarted replica's
// refused requests stay in the failures panel, its 429s go to their own.
func TestLoadCapacityFailures(t *testing.T) {
	rs := []results.LoadRow{
		{StartSeconds: 0, SeatsInUseMean: 0.5, SeatsInUseMax: 2, RefusedPerSec: 3, Rejected429PerSec: 4},
		{StartSeconds: 10, SeatsInUseMean: 0.5, SeatsInUseMax: 1},
	}
	var got, fail, reject []string
	for _, p := range loadPanels(rs, 0) {
		got = append(got, p.ylabel)
		for _, s := range p.series {
			switch p.ylabel {
			case "failures/s":
				fail = append(fail, s.name)
			case "429s and retries/s":
				reject = append(reject, s.name)
			}
		}
		if p.limit != 0 {
			t.Errorf("%s: a limit without one given", p.ylabel)
		}
	}
	if strings.Join(fail, "|") != "refused" || strings.Join(reject, "|") != "all 429|APF 429|retries" {
		t.Errorf("panels %v, failures %v, 429s %v", got, fail, reject)
	}
	c := loadCaption("x", rs, nil, 0)
	if !strings.Contains(c, "failed requests (refused: no apiserver replica answered)") || strings.Contains(c, "grey line") {
		t.Errorf("caption: %s", c)
	}
}

// TestCapacitySweepCharts: the capacity metrics are charted only when
// some point had finite capacity, each only when it differs.
func TestCapacitySweepCharts(t *testing.T) {
	names := func(d plotstest.Data) []string {
		charts, err := All(&d.Summary, d.Digests(), d.Load)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range charts {
			if strings.HasPrefix(c.Name, "sweep_") {
				out = append(out, c.Name)
			}
		}
		return out
	}
	d := plotstest.Capacity()
	got := names(d)
	for _, m := range CapacityMetrics {
		if !slices.Contains(got, "sweep_"+m.Key) {
			t.Errorf("capacity sweep lacks sweep_%s: %v", m.Key, got)
		}
	}
	for i := range d.Summary.Points {
		d.Summary.Points[i].APIServer.RejectedPerSec = 0
	}
	if got := names(d); slices.Contains(got, "sweep_rejected_per_sec") || len(got) != len(SweepMetrics)+2 {
		t.Errorf("no 429s at any point, yet: %v", got)
	}
	calm := plotstest.Sweep()
	for i := range calm.Summary.Points {
		calm.Summary.Points[i].APIServer.RequestLatency.P99 = float64(i) // throttling alone varies
	}
	if got := names(calm); len(got) != len(SweepMetrics) {
		t.Errorf("sweep without capacity: %v", got)
	}
}

func TestSeatLimit(t *testing.T) {
	one := []results.LoadRow{{}}
	three := []results.LoadRow{{OpenWatchesByReplica: []float64{1, 2, 3}}}
	for _, tc := range []struct {
		params map[string]string
		rows   []results.LoadRow
		want   float64
	}{
		{map[string]string{}, one, 0}, // not given: no line
		{map[string]string{SeatsParam: "74"}, one, 74},
		{map[string]string{SeatsParam: "74"}, three, 222},
		{map[string]string{SeatsParam: "74"}, nil, 0}, // replicas unknown
		{map[string]string{SeatsParam: "10", ReplicasParam: "2"}, nil, 20},
		{map[string]string{SeatsParam: "10", ReplicasParam: "2"}, three, 20},
		{map[string]string{SeatsParam: "x"}, one, 0},
		{map[string]string{SeatsParam: "10", ReplicasParam: "0"}, one, 0},
	} {
		if got := SeatLimit(&results.Point{Params: tc.params}, tc.rows); got != tc.want {
			t.Errorf("SeatLimit(%v) = %v, want %v", tc.params, got, tc.want)
		}
	}
}

func TestSecondsTicks(t *testing.T) {
	labels := func(tk plot.Ticker, min, max float64) string {
		var out []string
		for _, t := range tk.Ticks(min, max) {
			if t.Label != "" {
				out = append(out, t.Label)
			}
		}
		return strings.Join(out, "|")
	}
	for _, tc := range []struct {
		tk       plot.Ticker
		min, max float64
		want     string
	}{
		{SecondsTicks{}, 0, 0.05, "0|10 ms|20 ms|30 ms|40 ms|50 ms"},
		{SecondsTicks{}, 0, 4, "0|1 s|2 s|3 s|4 s"},
		{logTicks{seconds: true}, math.Log10(0.004), math.Log10(30), "10 ms|100 ms|1 s|10 s"},
		{logTicks{seconds: true}, math.Log10(0.0003), math.Log10(0.02), "1 ms|10 ms"},
		{logTicks{}, 0, 3.2, "1|10|100|1,000"},
	} {
		if got := labels(tc.tk, tc.min, tc.max); got != tc.want {
			t.Errorf("%T(%v, %v) = %s, want %s", tc.tk, tc.min, tc.max, got, tc.want)
		}
	}
	if n := len((logTicks{}).Ticks(0, 1)); n != 10 {
		t.Errorf("one decade: %d ticks, want 10", n)
	}
}

// valueSeries is a Series given by its values.
type valueSeries struct {
	Label, Strategy string
	Values          []float64
}

// histOf bins values as a run does (non-finite values are left out).
func histOf(values ...float64) results.LatencyHistogram {
	var h results.LatencyHistogram
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			h.Add(v)
		}
	}
	return h
}

func digestsOf(t *testing.T, rows []results.LatencyRow, points int) []results.LatencyDigest {
	t.Helper()
	d, err := results.DigestRows(rows, points)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
