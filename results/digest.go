package results

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"

	"cmsim/internal/hugepages"
	"cmsim/internal/parsort"
)

// MaxLatencyBins bounds the bins of a [LatencyHistogram]: its bin width is
// the smallest power of ten of microseconds that spans its values' range in
// at most this many bins, so the width is at most a thousandth of the range.
const MaxLatencyBins = 10000

// maxHistogramSeconds bounds the magnitude of a latency a histogram takes
// (about 31,700 years), so that microseconds fit an int64.
const maxHistogramSeconds = 1e12

// LatencyHistogram counts latencies, in seconds as latencies.csv stores
// them (whole microseconds), in bins of BinMicros microseconds: bin i of
// Counts holds the values in [(First+i)·BinMicros, (First+i+1)·BinMicros).
// BinMicros is the smallest power of ten (at least 1) that spans the values
// in at most [MaxLatencyBins] bins, so it depends on the values only, never
// on their order, and the bin of a value never moves by more than the width.
// At BinMicros 1 every bin is one exact value. The first and last bins are
// never empty.
type LatencyHistogram struct {
	BinMicros int64
	First     int64
	Counts    []uint32 // a bin saturates at math.MaxUint32
	N         int64    // values counted
}

// Add counts one latency (seconds, finite, at most 1e12 in magnitude).
func (h *LatencyHistogram) Add(seconds float64) {
	if !(math.Abs(seconds) <= maxHistogramSeconds) {
		return
	}
	us := int64(math.Round(seconds * 1e6))
	if h.BinMicros == 0 {
		h.BinMicros = 1
	}
	i := floorDiv(us, h.BinMicros)
	if i < h.First || i >= h.First+int64(len(h.Counts)) {
		i = h.extend(us)
	}
	if c := &h.Counts[i-h.First]; *c < math.MaxUint32 {
		*c++
	}
	h.N++
}

// extend makes room for a value of us microseconds and returns its bin.
func (h *LatencyHistogram) extend(us int64) int64 {
	if len(h.Counts) == 0 {
		h.First = floorDiv(us, h.BinMicros)
		h.Counts = make([]uint32, 1, 64)
		return h.First
	}
	lo, hi := h.First, h.First+int64(len(h.Counts))-1
	for {
		i := floorDiv(us, h.BinMicros)
		nlo, nhi := min(lo, i), max(hi, i)
		if nhi-nlo < MaxLatencyBins {
			h.span(nlo, nhi)
			return i
		}
		h.coarsen()
		lo, hi = h.First, h.First+int64(len(h.Counts))-1
	}
}

// span grows Counts to cover bins lo..hi.
func (h *LatencyHistogram) span(lo, hi int64) {
	if lo < h.First {
		grown := make([]uint32, int(hi-lo+1), max(int(hi-lo+1), 2*len(h.Counts)))
		copy(grown[h.First-lo:], h.Counts)
		h.Counts, h.First = grown, lo
		return
	}
	for h.First+int64(len(h.Counts))-1 < hi {
		h.Counts = append(h.Counts, 0)
	}
}

// coarsen multiplies the bin width by ten, pooling each ten bins.
func (h *LatencyHistogram) coarsen() {
	first := floorDiv(h.First, 10)
	last := floorDiv(h.First+int64(len(h.Counts))-1, 10)
	out := make([]uint32, int(last-first+1))
	for i, c := range h.Counts {
		j := floorDiv(h.First+int64(i), 10) - first
		out[j] = satAdd(out[j], c)
	}
	h.BinMicros *= 10
	h.First, h.Counts = first, out
}

// Merge adds the counts of o (which is left unchanged): the result is the
// histogram of both sets of values.
func (h *LatencyHistogram) Merge(o *LatencyHistogram) {
	if o.N == 0 {
		return
	}
	src := LatencyHistogram{BinMicros: o.BinMicros, First: o.First, Counts: slices.Clone(o.Counts), N: o.N}
	if h.N == 0 {
		*h = src
		return
	}
	for h.BinMicros < src.BinMicros {
		h.coarsen()
	}
	for src.BinMicros < h.BinMicros {
		src.coarsen()
	}
	for {
		lo := min(h.First, src.First)
		hi := max(h.First+int64(len(h.Counts)), src.First+int64(len(src.Counts))) - 1
		if hi-lo < MaxLatencyBins {
			h.span(lo, hi)
			break
		}
		h.coarsen()
		src.coarsen()
	}
	for i, c := range src.Counts {
		j := src.First + int64(i) - h.First
		h.Counts[j] = satAdd(h.Counts[j], c)
	}
	h.N += src.N
}

// Lower returns the lower edge of bin i of Counts, in seconds: exactly a
// value latencies.csv can hold.
func (h *LatencyHistogram) Lower(i int) float64 {
	return float64((h.First+int64(i))*h.BinMicros) / 1e6
}

// BinSeconds is the bin width in seconds.
func (h *LatencyHistogram) BinSeconds() float64 { return float64(h.BinMicros) / 1e6 }

// Quantile returns the lower edge of the bin that holds the nearest-rank
// q-quantile: the exact quantile minus less than one bin width (NaN when
// empty).
func (h *LatencyHistogram) Quantile(q float64) float64 {
	if h.N == 0 {
		return math.NaN()
	}
	rank := max(0, min(int64(math.Ceil(q*float64(h.N)))-1, h.N-1))
	var seen int64
	for i, c := range h.Counts {
		seen += int64(c)
		if seen > rank {
			return h.Lower(i)
		}
	}
	return h.Lower(len(h.Counts) - 1)
}

func satAdd(a, b uint32) uint32 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint32
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// MaxSpreadUpdates is the most updates the latency-over-time chart draws
// one by one; beyond it, updates are pooled into bins of write time (one
// of [SpreadBinSeconds], the narrowest that gives at most 60 bins).
const MaxSpreadUpdates = 120

// SpreadBinSeconds are the widths the latency-over-time chart may pool
// updates into.
var SpreadBinSeconds = []float64{10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400}

// SpreadBinWidth returns the pooling width for updates written over
// spanSeconds: the narrowest of [SpreadBinSeconds] that makes at most 60
// bins, else the widest.
func SpreadBinWidth(spanSeconds float64) float64 {
	for _, w := range SpreadBinSeconds {
		if spanSeconds/w <= 60 {
			return w
		}
	}
	return SpreadBinSeconds[len(SpreadBinSeconds)-1]
}

// UpdateSpread is the spread of the consumer latencies of one update, or of
// the updates written in one time bin.
type UpdateSpread struct {
	Update           int     // the update; for a bin, its index (WrittenAt / width)
	WrittenAt        float64 // seconds since the start of the run; for a bin, its middle
	Min, Median, Max float64 // latency, seconds; Median is the nearest-rank median
	Consumers        int     // observed (update, consumer) pairs
}

// SpreadBins is the spread of a run's updates pooled by write time.
type SpreadBins struct {
	WidthSeconds float64
	Bins         []UpdateSpread // by WrittenAt
}

// SpreadDigest is what the latency-over-time chart needs of one run (of
// replication 0): the spread of each update while there are at most
// [MaxSpreadUpdates], and the updates pooled into every width of
// [SpreadBinSeconds] the chart may choose (those at least
// SpreadBinWidth(SpanSeconds): a chart's span is never shorter than one of
// its runs'). It is exact, and its size depends on the run's duration, not
// on its rows.
type SpreadDigest struct {
	Updates     int            // updates with an observed latency
	SpanSeconds float64        // the latest write time of such an update
	ByUpdate    []UpdateSpread // by WrittenAt; nil past MaxSpreadUpdates updates
	Pooled      []SpreadBins   // by width
}

// PooledBy returns the bins of the given width (nil when there are none).
func (d *SpreadDigest) PooledBy(width float64) []UpdateSpread {
	for _, b := range d.Pooled {
		if b.WidthSeconds == width {
			return b.Bins
		}
	}
	return nil
}

// LatencyDigest is what the charts and the report read of one point's
// latency rows (those latencies.csv holds): every finite latency of every
// replication in a [LatencyHistogram], the pairs still waiting when their
// run ended, and the spread of replication 0's updates. Its size is
// bounded whatever the number of rows.
type LatencyDigest struct {
	Latency LatencyHistogram
	// Pending counts the rows with no latency and no never-updated reason.
	Pending int64
	Spread  SpreadDigest // of replication 0
}

// Pool adds o, the digest of another run of the same point. The spread is
// replication 0's: o's when it has one.
func (d *LatencyDigest) Pool(o *LatencyDigest) {
	d.Latency.Merge(&o.Latency)
	d.Pending += o.Pending
	if o.Spread.Updates > 0 {
		d.Spread = o.Spread
	}
}

// spreadEntry is one observed pair of replication 0, kept only while its
// run is digested.
type spreadEntry struct {
	update  int32 // dense index into RunDigester.updates
	latency float64
}

// RunDigester digests the latency rows of one run as they stream by. Rows
// must hold the numbers as latencies.csv stores them (see
// [LatencyRow.Canonicalize]). It keeps one float per observed pair of
// replication 0 until [RunDigester.Digest], nothing per row otherwise.
type RunDigester struct {
	spread  bool
	d       LatencyDigest
	entries []spreadEntry
	updates []int         // update numbers, by dense index
	written []float64     // by dense index: the update's write time (its last row's)
	index   map[int]int32 // update number -> dense index
	last    int32         // the dense index of the last row's update
}

// NewRunDigester digests a run of the given replication (the spread is kept
// for replication 0 only).
func NewRunDigester(replication int) *RunDigester {
	rd := &RunDigester{spread: replication == 0}
	if rd.spread {
		rd.index = map[int]int32{}
	}
	return rd
}

// Reserve makes room for n more rows, when the caller knows how many will
// come: a run of two million rows would otherwise grow its entries by
// copying, leaving their old arrays behind.
func (rd *RunDigester) Reserve(n int) {
	switch {
	case !rd.spread:
	case rd.entries == nil:
		rd.entries = hugepages.Make[spreadEntry](0, n)
	default:
		rd.entries = slices.Grow(rd.entries, n)
	}
}

// Add digests one row. It fails on a latency or write time too large for
// any run (over 1e12 s).
func (rd *RunDigester) Add(r *LatencyRow) error {
	lat := r.LatencySeconds
	if !finite(lat) {
		if r.NeverUpdated == "" {
			rd.d.Pending++
		}
		return nil
	}
	if math.Abs(lat) > maxHistogramSeconds || math.Abs(r.WrittenAtSeconds) > maxHistogramSeconds {
		return fmt.Errorf("latency %g s or write time %g s is out of range (at most 1e12 s)", lat, r.WrittenAtSeconds)
	}
	rd.d.Latency.Add(lat)
	if !rd.spread || !finite(r.WrittenAtSeconds) {
		return nil
	}
	// Rows come grouped by update, so the last one's index mostly serves.
	k := rd.last
	if len(rd.updates) == 0 || rd.updates[k] != r.Update {
		var ok bool
		if k, ok = rd.index[r.Update]; !ok {
			k = int32(len(rd.updates))
			rd.index[r.Update] = k
			rd.updates = append(rd.updates, r.Update)
			rd.written = append(rd.written, 0)
		}
		rd.last = k
	}
	rd.written[k] = r.WrittenAtSeconds
	rd.entries = append(rd.entries, spreadEntry{update: k, latency: lat})
	return nil
}

// Digest returns the run's digest and releases the rows' memory.
func (rd *RunDigester) Digest() LatencyDigest {
	d := rd.d
	if rd.spread && len(rd.entries) > 0 {
		d.Spread = rd.spreadDigest()
	}
	rd.entries, rd.updates, rd.written, rd.index, rd.last = nil, nil, nil, nil, 0
	return d
}

func (rd *RunDigester) spreadDigest() SpreadDigest {
	// By latency, then update: a total order, so the two-goroutine sort
	// gives the serial one's result.
	rd.entries = parsort.SortFunc(rd.entries, func(a, b spreadEntry) int {
		return cmp.Or(cmp.Compare(a.latency, b.latency), cmp.Compare(a.update, b.update))
	}, runtime.GOMAXPROCS(0) > 1)
	sd := SpreadDigest{Updates: len(rd.updates)}
	for _, w := range rd.written {
		sd.SpanSeconds = max(sd.SpanSeconds, w)
	}
	if len(rd.updates) <= MaxSpreadUpdates {
		key := func(e *spreadEntry) int { return int(e.update) }
		sd.ByUpdate = rd.spreads(len(rd.updates), key, func(k int) (int, float64) { return rd.updates[k], rd.written[k] })
	}
	from := SpreadBinWidth(sd.SpanSeconds)
	for _, w := range SpreadBinSeconds {
		if w < from {
			continue
		}
		// Bins are numbered by write time; dense indices follow first use.
		dense := map[int]int{}
		var bins []int
		binOf := make([]int32, len(rd.updates))
		for k, at := range rd.written {
			b := int(at / w)
			j, ok := dense[b]
			if !ok {
				j = len(bins)
				dense[b] = j
				bins = append(bins, b)
			}
			binOf[k] = int32(j)
		}
		key := func(e *spreadEntry) int { return int(binOf[e.update]) }
		sd.Pooled = append(sd.Pooled, SpreadBins{WidthSeconds: w, Bins: rd.spreads(len(bins), key, func(j int) (int, float64) {
			return bins[j], (float64(bins[j]) + 0.5) * w
		})})
	}
	return sd
}

// spreads returns the min, nearest-rank median and max latency of each of
// n groups of the entries (sorted by latency), keyed by key; label names
// group k (its update or bin, and its write time). The result is sorted by
// write time, then update.
func (rd *RunDigester) spreads(n int, key func(*spreadEntry) int, label func(k int) (int, float64)) []UpdateSpread {
	count := make([]int, n)
	for i := range rd.entries {
		count[key(&rd.entries[i])]++
	}
	out := make([]UpdateSpread, n)
	seen := make([]int, n)
	for i := range rd.entries {
		e := &rd.entries[i]
		k := key(e)
		s := &out[k]
		if seen[k] == 0 {
			s.Min = e.latency
		}
		seen[k]++
		if seen[k] == max(1, int(math.Ceil(0.5*float64(count[k])))) {
			s.Median = e.latency
		}
		s.Max = e.latency
	}
	for k := range out {
		out[k].Update, out[k].WrittenAt = label(k)
		out[k].Consumers = count[k]
	}
	slices.SortFunc(out, func(a, b UpdateSpread) int {
		return cmp.Or(cmp.Compare(a.WrittenAt, b.WrittenAt), cmp.Compare(a.Update, b.Update))
	})
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
