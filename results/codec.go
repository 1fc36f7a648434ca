package results

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// LatencyHeader is the header row of latencies.csv; the point's parameters
// follow it (see [ParamColumns]).
var LatencyHeader = []string{
	"point", "replication", "update", "object", "written_at_seconds",
	"pod", "workload", "node", "consumer", "consumer_kind",
	"observed_at_seconds", "latency_seconds", "never_updated",
}

// LoadHeader is the header row of load.csv.
var LoadHeader = []string{
	"point", "replication", "start_seconds",
	"get_etcd_per_sec", "get_cache_per_sec", "list_per_sec", "watch_requests_per_sec",
	"watch_events_per_sec", "bookmarks_per_sec", "open_watches_mean", "open_watches_max",
	"bytes_per_sec", "updates_per_sec", "syncs_per_sec", "remounts_per_sec", "volume_writes_per_sec",
	"token_requests_per_sec", "refused_per_sec", "rejected_429_per_sec", "watch_410_per_sec", "mount_failures_per_sec",
	"nodes", "pods", "retries_per_sec", "rejected_apf_per_sec",
	"seats_in_use_mean", "seats_in_use_max", "queued_mean", "queued_max",
	"request_latency_mean_seconds", "request_latency_max_seconds",
}

// replicaColumn is the name of replica i's open-watch column in load.csv.
func replicaColumn(i int) string { return "open_watches_mean_r" + strconv.Itoa(i) }

// WriteSummary writes s as indented JSON.
func WriteSummary(w io.Writer, s *Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// ReadSummary reads summary.json.
func ReadSummary(r io.Reader) (*Summary, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Summary
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("summary.json: %v", err)
	}
	if len(s.Points) == 0 {
		return nil, fmt.Errorf("summary.json: no points")
	}
	return &s, nil
}

// fmtSeconds formats a time in seconds with microsecond resolution; NaN is
// written as an empty cell.
func fmtSeconds(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 6, 64)
}

// fmtRate formats a rate or gauge compactly and exactly enough to re-plot.
func fmtRate(v float64) string {
	return strconv.FormatFloat(v, 'g', 10, 64)
}

// LatencyWriter streams latencies.csv rows. It encodes each row into one
// reused buffer, exactly as encoding/csv would (see appendField), without
// allocating: a run's rows are written while its model is still in memory.
type LatencyWriter struct {
	bw   *bufio.Writer
	line []byte
	// cells[p] are point p's parameter cells, encoded, each after a comma.
	cells [][]byte
	// empty holds as many commas as there are parameter columns.
	empty []byte
}

// NewLatencyWriter writes the header and returns a writer for rows. After
// the fixed columns come the parameters of the rows' points, one column
// each (see [ParamColumns]): params[p] labels point p, as Summary.Points[p].Params.
func NewLatencyWriter(w io.Writer, params []map[string]string) (*LatencyWriter, error) {
	lw := NewLatencyRowWriter(w, params)
	_, names := ParamColumns(params)
	line := lw.line[:0]
	for i, h := range append(slices.Clone(LatencyHeader), names...) {
		if i > 0 {
			line = append(line, ',')
		}
		line = appendField(line, h)
	}
	lw.line = append(line, '\n')
	if _, err := lw.bw.Write(lw.line); err != nil {
		return nil, err
	}
	return lw, nil
}

// NewLatencyRowWriter returns a writer of rows as [NewLatencyWriter]'s,
// without the header: rows to be appended to a latencies.csv.
func NewLatencyRowWriter(w io.Writer, params []map[string]string) *LatencyWriter {
	keys, _ := ParamColumns(params)
	cells := make([][]byte, len(params))
	for p, m := range params {
		for _, k := range keys {
			cells[p] = appendField(append(cells[p], ','), m[k])
		}
	}
	return &LatencyWriter{bw: bufio.NewWriterSize(w, 1<<16), line: make([]byte, 0, 256), cells: cells, empty: []byte(strings.Repeat(",", len(keys)))}
}

// ParamColumns returns the parameter paths of the points (every key of any
// point's Params), the strategy first and the rest sorted, and their column
// names in latencies.csv: the path's last element ("strategy" for
// changeDetectionStrategy), or the whole path where two would clash.
func ParamColumns(params []map[string]string) (keys, names []string) {
	const strategy = "cluster.kubelet.changeDetectionStrategy"
	seen := map[string]bool{}
	for _, m := range params {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == strategy:
			return -1
		case b == strategy:
			return 1
		case a < b:
			return -1
		}
		return 1
	})
	short := func(k string) string {
		if k == strategy {
			return "strategy"
		}
		return k[strings.LastIndexByte(k, '.')+1:]
	}
	count := map[string]int{}
	for _, k := range keys {
		count[short(k)]++
	}
	for _, h := range LatencyHeader {
		count[h]++ // a parameter never takes a fixed column's name
	}
	for _, k := range keys {
		if n := short(k); count[n] == 1 {
			names = append(names, n)
		} else {
			names = append(names, k)
		}
	}
	return keys, names
}

// Write appends one row.
func (lw *LatencyWriter) Write(r *LatencyRow) error {
	b := strconv.AppendInt(lw.line[:0], int64(r.Point), 10)
	b = strconv.AppendInt(append(b, ','), int64(r.Replication), 10)
	b = strconv.AppendInt(append(b, ','), int64(r.Update), 10)
	b = appendField(append(b, ','), r.Object)
	b = appendSeconds(append(b, ','), r.WrittenAtSeconds)
	b = appendField(append(b, ','), r.Pod)
	b = appendField(append(b, ','), r.Workload)
	b = appendField(append(b, ','), r.Node)
	b = appendField(append(b, ','), r.Consumer)
	b = appendField(append(b, ','), r.ConsumerKind)
	b = appendSeconds(append(b, ','), r.ObservedAtSeconds)
	b = appendSeconds(append(b, ','), r.LatencySeconds)
	b = appendField(append(b, ','), r.NeverUpdated)
	if r.Point >= 0 && r.Point < len(lw.cells) {
		b = append(b, lw.cells[r.Point]...)
	} else {
		b = append(b, lw.empty...)
	}
	lw.line = append(b, '\n')
	_, err := lw.bw.Write(lw.line)
	return err
}

// Flush writes any buffered rows and reports the first error.
func (lw *LatencyWriter) Flush() error {
	return lw.bw.Flush()
}

// appendSeconds appends fmtSeconds(v).
func appendSeconds(b []byte, v float64) []byte {
	if math.IsNaN(v) {
		return b
	}
	return strconv.AppendFloat(b, v, 'f', 6, 64)
}

// appendField appends one field as encoding/csv's Writer writes it (comma
// separator, LF line ends): quoted, with quotes doubled, when it holds a
// comma, quote, CR or LF, starts with a space, or is \. .
func appendField(b []byte, f string) []byte {
	if !fieldNeedsQuotes(f) {
		return append(b, f...)
	}
	b = append(b, '"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, f[i])
	}
	return append(b, '"')
}

// fieldNeedsQuotes is encoding/csv's rule for a comma separator.
func fieldNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	// A byte loop: strings.ContainsAny builds its set on every call, and
	// this runs for every name of every latency row.
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	if f[0] < utf8.RuneSelf {
		switch f[0] {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			return true
		}
		return false
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// WriteLoad writes load.csv. With several apiserver replicas (in any row),
// one open-watch column per replica follows the fixed columns; rows with
// fewer replicas leave the extra cells empty.
func WriteLoad(w io.Writer, rows []LoadRow) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	replicas := 0
	for i := range rows {
		replicas = max(replicas, len(rows[i].OpenWatchesByReplica))
	}
	header := slices.Clone(LoadHeader)
	for i := 0; i < replicas; i++ {
		header = append(header, replicaColumn(i))
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(header))
	for i := range rows {
		r := &rows[i]
		rec[0] = strconv.Itoa(r.Point)
		rec[1] = strconv.Itoa(r.Replication)
		rec[2] = fmtSeconds(r.StartSeconds)
		for j, v := range r.rates() {
			rec[3+j] = fmtRate(*v)
		}
		for j := 0; j < replicas; j++ {
			rec[len(LoadHeader)+j] = ""
			if j < len(r.OpenWatchesByReplica) {
				rec[len(LoadHeader)+j] = fmtRate(r.OpenWatchesByReplica[j])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// csvReader checks the header of a CSV stream and returns a reader positioned
// at the first data row, and the number of extra columns after header that
// extra accepts (column index from 0, name).
func csvReader(r io.Reader, name string, header []string, extra func(i int, col string) bool) (*csv.Reader, int, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	got, err := cr.Read()
	if err == io.EOF {
		return nil, 0, fmt.Errorf("%s: empty file, want header %v", name, header)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %v", name, err)
	}
	if len(got) < len(header) {
		return nil, 0, fmt.Errorf("%s: %d columns, want %d: %v", name, len(got), len(header), header)
	}
	for i := range header {
		if got[i] != header[i] {
			return nil, 0, fmt.Errorf("%s: column %d is %q, want %q", name, i+1, got[i], header[i])
		}
	}
	for i, col := range got[len(header):] {
		if extra == nil || !extra(i, col) {
			return nil, 0, fmt.Errorf("%s: unexpected column %d %q", name, len(header)+i+1, col)
		}
	}
	cr.FieldsPerRecord = len(got)
	return cr, len(got) - len(header), nil
}

type fieldParser struct {
	name string
	line int
	err  error
}

func (p *fieldParser) int(rec []string, i int) int {
	if p.err != nil {
		return 0
	}
	v, err := strconv.Atoi(rec[i])
	if err != nil {
		p.err = fmt.Errorf("%s:%d: column %d: %v", p.name, p.line, i+1, err)
	}
	return v
}

// float parses a float column; an empty cell is NaN.
func (p *fieldParser) float(rec []string, i int) float64 {
	if p.err != nil {
		return 0
	}
	if rec[i] == "" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(rec[i], 64)
	if err != nil {
		p.err = fmt.Errorf("%s:%d: column %d: %v", p.name, p.line, i+1, err)
	}
	return v
}

// readRows reads a CSV file with the given header, one row per record.
func readRows[T any](r io.Reader, name string, header []string, extra func(int, string) bool, parse func(p *fieldParser, rec []string) T) ([]T, error) {
	cr, _, err := csvReader(r, name, header, extra)
	if err != nil {
		return nil, err
	}
	var rows []T
	p := fieldParser{name: name, line: 1}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		p.line++
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		row := parse(&p, rec)
		if p.err != nil {
			return nil, p.err
		}
		rows = append(rows, row)
	}
}

// legacyLatencyHeader is latencies.csv's header before it had the
// workload and parameter columns; ReadLatencies still reads it.
var legacyLatencyHeader = []string{
	"point", "replication", "update", "object", "written_at_seconds",
	"pod", "node", "consumer", "consumer_kind",
	"observed_at_seconds", "latency_seconds", "never_updated",
}

// ReadLatencies reads latencies.csv. The parameter columns after the fixed
// ones are not read back: a row's Point names its parameters in
// summary.json. A file written before the workload column existed is read
// with Workload empty.
func ReadLatencies(r io.Reader) ([]LatencyRow, error) {
	lr, err := NewLatencyReader(r)
	if err != nil {
		return nil, err
	}
	var rows []LatencyRow
	for {
		row, err := lr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, *row)
	}
}

// LatencyReader streams the rows of latencies.csv, as [ReadLatencies]
// reads them, one at a time.
type LatencyReader struct {
	cr     *csv.Reader
	p      fieldParser
	legacy bool
	row    LatencyRow
}

// NewLatencyReader checks the header of latencies.csv (current or legacy)
// and returns a reader positioned at its first row.
func NewLatencyReader(r io.Reader) (*LatencyReader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	first, err := br.ReadString('\n')
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("latencies.csv: %v", err)
	}
	r = io.MultiReader(strings.NewReader(first), br)
	lr := &LatencyReader{p: fieldParser{name: "latencies.csv", line: 1}}
	if strings.TrimRight(first, "\r\n") == strings.Join(legacyLatencyHeader, ",") {
		lr.legacy = true
		lr.cr, _, err = csvReader(r, "latencies.csv", legacyLatencyHeader, nil)
	} else {
		param := func(_ int, col string) bool { return col != "" }
		lr.cr, _, err = csvReader(r, "latencies.csv", LatencyHeader, param)
	}
	if err != nil {
		return nil, err
	}
	return lr, nil
}

// Read returns the next row, or io.EOF after the last. The row is reused
// by the next call.
func (lr *LatencyReader) Read() (*LatencyRow, error) {
	rec, err := lr.cr.Read()
	if err == io.EOF {
		return nil, io.EOF
	}
	p := &lr.p
	p.line++
	if err != nil {
		return nil, fmt.Errorf("%s: %v", p.name, err)
	}
	if lr.legacy {
		lr.row = LatencyRow{
			Point: p.int(rec, 0), Replication: p.int(rec, 1), Update: p.int(rec, 2), Object: rec[3],
			WrittenAtSeconds: p.float(rec, 4), Pod: rec[5], Node: rec[6], Consumer: rec[7], ConsumerKind: rec[8],
			ObservedAtSeconds: p.float(rec, 9), LatencySeconds: p.float(rec, 10), NeverUpdated: rec[11],
		}
	} else {
		lr.row = LatencyRow{
			Point:             p.int(rec, 0),
			Replication:       p.int(rec, 1),
			Update:            p.int(rec, 2),
			Object:            rec[3],
			WrittenAtSeconds:  p.float(rec, 4),
			Pod:               rec[5],
			Workload:          rec[6],
			Node:              rec[7],
			Consumer:          rec[8],
			ConsumerKind:      rec[9],
			ObservedAtSeconds: p.float(rec, 10),
			LatencySeconds:    p.float(rec, 11),
			NeverUpdated:      rec[12],
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return &lr.row, nil
}

// Line is the line number of the row last read (the header is line 1).
func (lr *LatencyReader) Line() int { return lr.p.line }

// DigestLatencies reads latencies.csv into one [LatencyDigest] per point
// 0..points-1, as a run computes them while it writes the file (rows of
// other points are ignored). Memory stays bounded: a run's rows must be
// together, as cmsim writes them.
func DigestLatencies(r io.Reader, points int) ([]LatencyDigest, error) {
	lr, err := NewLatencyReader(r)
	if err != nil {
		return nil, err
	}
	pd := newPointDigester(points)
	for {
		row, err := lr.Read()
		if err == io.EOF {
			return pd.finish(), nil
		}
		if err != nil {
			return nil, err
		}
		if err := pd.add(row); err != nil {
			return nil, fmt.Errorf("latencies.csv:%d: %v", lr.Line(), err)
		}
	}
}

// DigestRows digests rows held in memory, as [DigestLatencies] digests a
// file.
func DigestRows(rows []LatencyRow, points int) ([]LatencyDigest, error) {
	pd := newPointDigester(points)
	for i := range rows {
		if err := pd.add(&rows[i]); err != nil {
			return nil, fmt.Errorf("row %d: %v", i+1, err)
		}
	}
	return pd.finish(), nil
}

// pointDigester digests a stream of rows, run by run.
type pointDigester struct {
	out  []LatencyDigest
	done map[[2]int]bool
	cur  [2]int // point, replication
	rd   *RunDigester
}

func newPointDigester(points int) *pointDigester {
	return &pointDigester{out: make([]LatencyDigest, points), done: map[[2]int]bool{}}
}

func (pd *pointDigester) add(row *LatencyRow) error {
	if row.Point < 0 || row.Point >= len(pd.out) {
		return nil
	}
	if k := [2]int{row.Point, row.Replication}; pd.rd == nil || k != pd.cur {
		pd.flush()
		if pd.done[k] && k[1] == 0 {
			return fmt.Errorf("a row of point %d, replication 0 after rows of another run: a run's rows must be together, as cmsim writes them", k[0])
		}
		pd.cur, pd.rd = k, NewRunDigester(k[1])
	}
	return pd.rd.Add(row)
}

func (pd *pointDigester) flush() {
	if pd.rd != nil {
		d := pd.rd.Digest()
		pd.out[pd.cur[0]].Pool(&d)
		pd.done[pd.cur] = true
		pd.rd = nil
	}
}

func (pd *pointDigester) finish() []LatencyDigest {
	pd.flush()
	return pd.out
}

// ReadLoad reads load.csv.
func ReadLoad(r io.Reader) ([]LoadRow, error) {
	replicaCol := func(i int, col string) bool { return col == replicaColumn(i) }
	return readRows(r, "load.csv", LoadHeader, replicaCol, func(p *fieldParser, rec []string) LoadRow {
		row := LoadRow{Point: p.int(rec, 0), Replication: p.int(rec, 1), StartSeconds: p.float(rec, 2)}
		for j, dst := range row.rates() {
			*dst = p.float(rec, 3+j)
		}
		for j := len(LoadHeader); j < len(rec); j++ {
			if rec[j] == "" {
				break // a point with fewer replicas
			}
			row.OpenWatchesByReplica = append(row.OpenWatchesByReplica, p.float(rec, j))
		}
		return row
	})
}

// rates returns the row's per-second rates and gauges, in load.csv's
// column order after start_seconds.
func (r *LoadRow) rates() []*float64 {
	return []*float64{
		&r.GetEtcdPerSec, &r.GetCachePerSec, &r.ListPerSec, &r.WatchRequestsPerSec,
		&r.WatchEventsPerSec, &r.BookmarksPerSec, &r.OpenWatchesMean, &r.OpenWatchesMax,
		&r.BytesPerSec, &r.UpdatesPerSec, &r.SyncsPerSec, &r.RemountsPerSec, &r.VolumeWritesPerSec,
		&r.TokenRequestsPerSec, &r.RefusedPerSec, &r.Rejected429PerSec, &r.Watch410PerSec, &r.MountFailuresPerSec,
		&r.Nodes, &r.Pods, &r.RetriesPerSec, &r.RejectedAPFPerSec,
		&r.SeatsInUseMean, &r.SeatsInUseMax, &r.QueuedMean, &r.QueuedMax,
		&r.RequestLatencyMean, &r.RequestLatencyMax,
	}
}

// roundTrip returns v as it reads back from a CSV cell written with format f.
func roundTrip(v float64, f func(float64) string) float64 {
	s := f(v)
	if s == "" {
		return math.NaN()
	}
	x, _ := strconv.ParseFloat(s, 64)
	return x
}

// CanonicalSeconds returns v as latencies.csv stores it (whole
// microseconds; NaN stays NaN), without allocating.
func CanonicalSeconds(v float64) float64 {
	if math.IsNaN(v) {
		return v
	}
	var buf [40]byte
	b := strconv.AppendFloat(buf[:0], v, 'f', 6, 64)
	x, _ := strconv.ParseFloat(string(b), 64)
	return x
}

// Canonicalize rounds r's numbers exactly as latencies.csv stores them, so
// that charts drawn from rows in memory equal charts drawn from the file.
func (r *LatencyRow) Canonicalize() {
	r.WrittenAtSeconds = roundTrip(r.WrittenAtSeconds, fmtSeconds)
	r.ObservedAtSeconds = roundTrip(r.ObservedAtSeconds, fmtSeconds)
	r.LatencySeconds = roundTrip(r.LatencySeconds, fmtSeconds)
}

// Canonicalize rounds r's numbers exactly as load.csv stores them.
func (r *LoadRow) Canonicalize() {
	r.StartSeconds = roundTrip(r.StartSeconds, fmtSeconds)
	for _, p := range r.rates() {
		*p = roundTrip(*p, fmtRate)
	}
	for i := range r.OpenWatchesByReplica {
		r.OpenWatchesByReplica[i] = roundTrip(r.OpenWatchesByReplica[i], fmtRate)
	}
}
