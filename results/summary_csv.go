package results

import (
	"encoding/csv"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// SummaryColumns returns the dotted JSON path of every number in Metrics, in
// the order of the struct, e.g. "latency_seconds.p99" or
// "apiserver.request_latency.GET.p99": the metric columns of the summary CSV.
func SummaryColumns() []string {
	var cols []string
	walkNumbers(reflect.ValueOf(&Metrics{}).Elem(), "", func(path string, _ reflect.Value) { cols = append(cols, path) })
	return cols
}

// CIColumns returns the metrics that have a 95% confidence half-width: all
// of SummaryColumns but the derived values, which the settings fix.
func CIColumns() []string {
	var cols []string
	for _, c := range SummaryColumns() {
		if !derivedColumn(c) {
			cols = append(cols, c)
		}
	}
	return cols
}

func derivedColumn(path string) bool { return strings.HasPrefix(path, "derived.") }

// walkNumbers calls f for every float64 field of the struct v (recursing
// into structs, skipping slices), with its dotted JSON path.
func walkNumbers(v reflect.Value, prefix string, f func(path string, v reflect.Value)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		fv := v.Field(i)
		switch {
		case sf.Anonymous:
			walkNumbers(fv, prefix, f)
		case name == "" || name == "-":
		case fv.Kind() == reflect.Float64:
			f(prefix+name, fv)
		case fv.Kind() == reflect.Struct:
			walkNumbers(fv, prefix+name+".", f)
		}
	}
}

// WriteSummaryCSV writes s as CSV, one row per point: the point's index,
// its parameters (columns named by their dotted scenario path), its
// replications, every metric of summary.json by dotted JSON path, and,
// when any point has them, each metric's 95% confidence half-width
// (columns prefixed "ci95."). Fault events are left out: they are a list
// per point (see summary.json).
func WriteSummaryCSV(w io.Writer, s *Summary) error {
	paramSet := map[string]bool{}
	hasCI := false
	for _, p := range s.Points {
		for k := range p.Params {
			paramSet[k] = true
		}
		hasCI = hasCI || p.CI95 != nil
	}
	params := make([]string, 0, len(paramSet))
	for k := range paramSet {
		params = append(params, k)
	}
	sort.Strings(params)
	metrics := SummaryColumns()
	header := append([]string{"point"}, params...)
	header = append(header, "replications")
	header = append(header, metrics...)
	ciMetrics := CIColumns()
	if hasCI {
		for _, m := range ciMetrics {
			header = append(header, "ci95."+m)
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for i := range s.Points {
		p := &s.Points[i]
		rec := []string{strconv.Itoa(i)}
		for _, k := range params {
			rec = append(rec, p.Params[k])
		}
		rec = append(rec, strconv.Itoa(max(p.Replications, 1)))
		numbers := func(m *Metrics, ci bool) {
			walkNumbers(reflect.ValueOf(m).Elem(), "", func(path string, v reflect.Value) {
				if !ci || !derivedColumn(path) {
					rec = append(rec, fmtRate(v.Float()))
				}
			})
		}
		numbers(&p.Metrics, false)
		if hasCI {
			if p.CI95 != nil {
				numbers(p.CI95, true)
			} else {
				for range ciMetrics {
					rec = append(rec, "")
				}
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
