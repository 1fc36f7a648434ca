package results

import (
	"bytes"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestLatencyParamColumns: latencies.csv names each row's workload and
// point parameters in readable columns (the strategy first, short names
// unless two clash), and reads back the rows it wrote.
func TestLatencyParamColumns(t *testing.T) {
	params := []map[string]string{
		{"cluster.kubelet.changeDetectionStrategy": "Get", "cluster.kubelet.syncFrequency": "1m0s", "workloads.a.replicas": "2", "workloads.b.replicas": "3"},
		{"cluster.kubelet.changeDetectionStrategy": "Watch", "cluster.kubelet.syncFrequency": "10s", "workloads.a.replicas": "4", "workloads.b.replicas": "5"},
	}
	rows := []LatencyRow{
		{Point: 0, Replication: 0, Update: 1, Object: "default/cm", WrittenAtSeconds: 600, Pod: "default/web-0", Workload: "web",
			Node: "node-0", Consumer: "cm", ConsumerKind: "volume", ObservedAtSeconds: 630.5, LatencySeconds: 30.5},
		{Point: 1, Replication: 2, Update: 1, Object: "default/cm", WrittenAtSeconds: 600, Pod: "default/api-1", Workload: "api",
			Node: "node-1", Consumer: "env:cm#0", ConsumerKind: "env", ObservedAtSeconds: math.NaN(), LatencySeconds: math.NaN(), NeverUpdated: NeverEnv},
	}
	var buf bytes.Buffer
	lw, err := NewLatencyWriter(&buf, params)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if err := lw.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	wantHeader := strings.Join(LatencyHeader, ",") + ",strategy,syncFrequency,workloads.a.replicas,workloads.b.replicas"
	if lines[0] != wantHeader {
		t.Errorf("header\n got %s\nwant %s", lines[0], wantHeader)
	}
	if want := "0,0,1,default/cm,600.000000,default/web-0,web,node-0,cm,volume,630.500000,30.500000,,Get,1m0s,2,3"; lines[1] != want {
		t.Errorf("row\n got %s\nwant %s", lines[1], want)
	}
	got, err := ReadLatencies(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !reflect.DeepEqual(got[0], rows[0]) || got[1].Workload != "api" || got[1].NeverUpdated != NeverEnv {
		t.Errorf("read back %+v, want %+v", got, rows)
	}
}

// TestReadLegacyLatencies: a latencies.csv written before the workload and
// parameter columns still reads.
func TestReadLegacyLatencies(t *testing.T) {
	in := "point,replication,update,object,written_at_seconds,pod,node,consumer,consumer_kind,observed_at_seconds,latency_seconds,never_updated\n" +
		"0,0,1,default/cm,600.000000,default/web-0,node-0,cm,volume,630.500000,30.500000,\n"
	rows, err := ReadLatencies(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Node != "node-0" || rows[0].LatencySeconds != 30.5 || rows[0].Workload != "" {
		t.Errorf("read %+v", rows)
	}
}

// TestLatencyWriterMatchesEncodingCSV: rows, header and parameter cells
// are the bytes encoding/csv writes for the same records, whatever the
// strings hold.
func TestLatencyWriterMatchesEncodingCSV(t *testing.T) {
	odd := []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\rhere", " lead", "\tlead", "\u00a0nbsp", `\.`, `\.x`, "ünï", "trail ", `"`, ","}
	params := []map[string]string{{"cluster.kubelet.changeDetectionStrategy": "Watch", "x.y": odd[2]}, {"x.y": odd[4], "z": odd[6]}}
	var got bytes.Buffer
	lw, err := NewLatencyWriter(&got, params)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	cw := csv.NewWriter(&want)
	keys, names := ParamColumns(params)
	if err := cw.Write(append(slices.Clone(LatencyHeader), names...)); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	pick := func() string { return odd[rng.IntN(len(odd))] }
	for i := range 500 {
		r := LatencyRow{Point: i%3 - (i % 5 / 4), Replication: i % 2, Update: i, Object: pick(), WrittenAtSeconds: rng.Float64() * 1e4,
			Pod: pick(), Workload: pick(), Node: pick(), Consumer: pick(), ConsumerKind: pick(),
			ObservedAtSeconds: math.NaN(), LatencySeconds: -rng.Float64(), NeverUpdated: pick()}
		if i%7 == 0 {
			r.ObservedAtSeconds, r.LatencySeconds = math.Inf(1), math.NaN()
		}
		if err := lw.Write(&r); err != nil {
			t.Fatal(err)
		}
		rec := []string{strconv.Itoa(r.Point), strconv.Itoa(r.Replication), strconv.Itoa(r.Update), r.Object, fmtSeconds(r.WrittenAtSeconds),
			r.Pod, r.Workload, r.Node, r.Consumer, r.ConsumerKind, fmtSeconds(r.ObservedAtSeconds), fmtSeconds(r.LatencySeconds), r.NeverUpdated}
		for _, k := range keys {
			v := ""
			if r.Point >= 0 && r.Point < len(params) {
				v = params[r.Point][k]
			}
			rec = append(rec, v)
		}
		if err := cw.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.Flush(); err != nil {
		t.Fatal(err)
	}
	cw.Flush()
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("LatencyWriter differs from encoding/csv:\n%q\nwant\n%q", got.String()[:min(got.Len(), 2000)], want.String()[:min(want.Len(), 2000)])
	}
	if n := testing.AllocsPerRun(100, func() { lw.Write(&LatencyRow{Object: "a,b", Pod: "p", LatencySeconds: 1.5}) }); n != 0 {
		t.Errorf("Write allocates %v times a row", n)
	}
}

// TestFieldNeedsQuotesMatchesEncodingCSV: latencies.csv quotes exactly the
// fields encoding/csv would.
func TestFieldNeedsQuotesMatchesEncodingCSV(t *testing.T) {
	fields := []string{"", "a", "default/app-1", `\.`, `\.x`, "a,b", `a"b`, "a\rb", "a\nb", " a", "\ta", "\va", "\fa",
		"\u0085a", "\u00a0a", "\u2003a", "a ", "é", "名前", ".", `\`}
	for _, f := range fields {
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Write([]string{f, "x"})
		w.Flush()
		quoted := strings.HasPrefix(b.String(), `"`)
		if got := fieldNeedsQuotes(f); got != quoted {
			t.Errorf("fieldNeedsQuotes(%q) = %v; encoding/csv quotes it: %v", f, got, quoted)
		}
	}
}
