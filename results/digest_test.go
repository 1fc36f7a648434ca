package results

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// canonical returns n random latencies as latencies.csv holds them.
func canonical(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = CanonicalSeconds(rng.Float64() * scale)
	}
	return v
}

// TestHistogramBound: the bin width is the smallest power of ten of
// microseconds that holds the values in at most MaxLatencyBins bins, every
// value lies in its bin, the count below every bin edge is exact, and a
// quantile is low by less than one bin width (a thousandth of the range).
func TestHistogramBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, scale := range []float64{0.000005, 0.003, 1, 90, 3600, 86400 * 30} {
		v := canonical(rng, 20000, scale)
		v = append(v, CanonicalSeconds(-scale/10)) // a negative latency (a clock edge) too
		var h LatencyHistogram
		for _, x := range v {
			h.Add(x)
		}
		slices.Sort(v)
		lo, hi := int64(math.Round(v[0]*1e6)), int64(math.Round(v[len(v)-1]*1e6))
		if n := floorDiv(hi, h.BinMicros) - floorDiv(lo, h.BinMicros) + 1; n > MaxLatencyBins || int64(len(h.Counts)) != n {
			t.Fatalf("scale %g: %d bins of %d µs for %d..%d µs", scale, len(h.Counts), h.BinMicros, lo, hi)
		}
		if b := h.BinMicros / 10; b >= 1 && floorDiv(hi, b)-floorDiv(lo, b)+1 <= MaxLatencyBins {
			t.Fatalf("scale %g: bins of %d µs where %d would do", scale, h.BinMicros, b)
		}
		if h.BinMicros > 1 && float64(h.BinMicros) > float64(hi-lo)/999 {
			t.Fatalf("scale %g: bin %d µs is over a thousandth of the range %d µs", scale, h.BinMicros, hi-lo)
		}
		if h.N != int64(len(v)) {
			t.Fatalf("N = %d, want %d", h.N, len(v))
		}
		// The count below each bin's lower edge is exact.
		below := 0
		for i := range h.Counts {
			edge := h.Lower(i)
			for below < len(v) && v[below] < edge {
				below++
			}
			var cum int64
			for _, c2 := range h.Counts[:i] {
				cum += int64(c2)
			}
			if cum != int64(below) {
				t.Fatalf("scale %g: %d values below %g s, histogram says %d", scale, below, edge, cum)
			}
		}
		for _, q := range []float64{0, 0.01, 0.5, 0.9, 0.99, 1} {
			exact := v[max(0, int(math.Ceil(q*float64(len(v))))-1)]
			got := h.Quantile(q)
			if !(got <= exact && exact-got < h.BinSeconds()+1e-9) {
				t.Errorf("scale %g: q%g = %g, exact %g, bin %g s", scale, q, got, exact, h.BinSeconds())
			}
		}
	}
}

// TestHistogramIsOrderFree: any order of adding and any split into merged
// parts give the same histogram, as runs finishing in any order must.
func TestHistogramIsOrderFree(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	v := append(canonical(rng, 3000, 0.002), canonical(rng, 3000, 120)...)
	var want LatencyHistogram
	for _, x := range v {
		want.Add(x)
	}
	for trial := range 20 {
		rng.Shuffle(len(v), func(i, j int) { v[i], v[j] = v[j], v[i] })
		parts := make([]LatencyHistogram, 1+trial%5)
		for i, x := range v {
			parts[i%len(parts)].Add(x)
		}
		var got LatencyHistogram
		for i := range parts {
			got.Merge(&parts[i])
		}
		if !reflect.DeepEqual(got.Counts, want.Counts) || got.First != want.First || got.BinMicros != want.BinMicros || got.N != want.N {
			t.Fatalf("trial %d: merged histogram differs (%d µs from %d, %d bins; want %d µs from %d, %d bins)",
				trial, got.BinMicros, got.First, len(got.Counts), want.BinMicros, want.First, len(want.Counts))
		}
	}
}

// TestSpreadDigestIsExact: the digest's spread of replication 0 equals the
// spread computed from every row: per update, and pooled per bin.
func TestSpreadDigestIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, updates := range []int{7, 400} {
		var rows []LatencyRow
		for u := 1; u <= updates; u++ {
			at := CanonicalSeconds(float64(u) * 9.3)
			for c := range 1 + rng.IntN(9) {
				lat := CanonicalSeconds(rng.Float64() * 90)
				if c == 3 {
					lat = math.NaN() // pending
				}
				rows = append(rows, LatencyRow{Update: u, WrittenAtSeconds: at, LatencySeconds: lat})
			}
		}
		d, err := DigestRows(rows, 1)
		if err != nil {
			t.Fatal(err)
		}
		sd := d[0].Spread
		direct := func(key func(*LatencyRow) int, at func(k int, r *LatencyRow) float64) []UpdateSpread {
			vals := map[int][]float64{}
			where := map[int]float64{}
			for i := range rows {
				r := &rows[i]
				if !math.IsNaN(r.LatencySeconds) {
					vals[key(r)] = append(vals[key(r)], r.LatencySeconds)
					where[key(r)] = at(key(r), r)
				}
			}
			var out []UpdateSpread
			for k, v := range vals {
				slices.Sort(v)
				out = append(out, UpdateSpread{Update: k, WrittenAt: where[k], Min: v[0], Median: v[int(math.Ceil(0.5*float64(len(v))))-1], Max: v[len(v)-1], Consumers: len(v)})
			}
			slices.SortFunc(out, func(a, b UpdateSpread) int { return int(a.WrittenAt*1e6) - int(b.WrittenAt*1e6) })
			return out
		}
		if updates <= MaxSpreadUpdates {
			want := direct(func(r *LatencyRow) int { return r.Update }, func(_ int, r *LatencyRow) float64 { return r.WrittenAtSeconds })
			if !reflect.DeepEqual(sd.ByUpdate, want) {
				t.Errorf("%d updates: per-update spread differs", updates)
			}
		} else if sd.ByUpdate != nil {
			t.Errorf("%d updates: kept %d per-update entries", updates, len(sd.ByUpdate))
		}
		w := SpreadBinWidth(sd.SpanSeconds)
		want := direct(func(r *LatencyRow) int { return int(r.WrittenAtSeconds / w) }, func(k int, _ *LatencyRow) float64 { return (float64(k) + 0.5) * w })
		if got := sd.PooledBy(w); !reflect.DeepEqual(got, want) {
			t.Errorf("%d updates: spread pooled by %g s differs", updates, w)
		}
		if d[0].Pending == 0 || d[0].Latency.N+d[0].Pending != int64(len(rows)) {
			t.Errorf("%d updates: %d counted and %d pending of %d rows", updates, d[0].Latency.N, d[0].Pending, len(rows))
		}
	}
}

// TestDigestLatenciesNeedsRunsTogether: a run of replication 0 whose rows
// are split is an error naming the line, not a wrong chart.
func TestDigestLatenciesNeedsRunsTogether(t *testing.T) {
	var b bytes.Buffer
	lw, err := NewLatencyWriter(&b, []map[string]string{{"p": "0"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []LatencyRow{{Replication: 0, LatencySeconds: 1}, {Replication: 1, LatencySeconds: 2}, {Replication: 0, LatencySeconds: 3}} {
		if err := lw.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.Flush(); err != nil {
		t.Fatal(err)
	}
	_, err = DigestLatencies(&b, 1)
	if err == nil || !strings.Contains(err.Error(), "latencies.csv:4:") {
		t.Fatalf("err = %v, want one at latencies.csv:4", err)
	}
}

// TestDigestingDoesNotAllocate: a run's rows are digested while its model
// is in memory, so a row costs no garbage (only the histogram and the
// replication-0 entries grow, amortised).
func TestDigestingDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { CanonicalSeconds(1234.56789012) }); n != 0 {
		t.Errorf("CanonicalSeconds allocates %v times", n)
	}
	rd := NewRunDigester(1)
	row := LatencyRow{LatencySeconds: 12.5, WrittenAtSeconds: 3}
	if n := testing.AllocsPerRun(1000, func() { rd.Add(&row) }); n != 0 {
		t.Errorf("RunDigester.Add allocates %v times a row", n)
	}
}
