package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"cmsim/model"
	"cmsim/plots"
	"cmsim/report"
	"cmsim/results"
)

// stager writes output files next to their final names and renames them all
// into place only when every one was written, so that a failed run never
// leaves a half-written file behind.
type stager struct {
	dir   string
	temps []string
	names []string // final names, relative to dir
}

// file creates the temporary file for name (relative to dir) and passes it
// to write.
func (st *stager) file(name string, write func(w io.Writer) error) error {
	final := filepath.Join(st.dir, name)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	st.temps = append(st.temps, f.Name())
	st.names = append(st.names, name)
	// CreateTemp makes the file private (0600); results are for sharing.
	err = f.Chmod(0o644)
	if err == nil {
		err = write(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %v", final, err)
	}
	return nil
}

// commit renames every file into place.
func (st *stager) commit() error {
	for i, tmp := range st.temps {
		if err := os.Rename(tmp, filepath.Join(st.dir, st.names[i])); err != nil {
			st.abort()
			return err
		}
	}
	st.temps = nil
	return nil
}

// finish renames the staged files into place if err is nil, and otherwise
// removes them; it returns the files' names.
func (st *stager) finish(err error) ([]string, error) {
	if err != nil {
		st.abort()
		return nil, err
	}
	if err := st.commit(); err != nil {
		return nil, err
	}
	return st.names, nil
}

// abort removes the temporary files.
func (st *stager) abort() {
	for _, tmp := range st.temps {
		os.Remove(tmp)
	}
	st.temps = nil
}

// writeOutputs writes a run's files into dir and returns their names.
func writeOutputs(dir string, s *results.Summary, lat []results.LatencyRow, load []results.LoadRow, scenarioYAML []byte, formats []string) ([]string, error) {
	st := &stager{dir: dir}
	err := func() error {
		if err := st.file("summary.json", func(w io.Writer) error { return results.WriteSummary(w, s) }); err != nil {
			return err
		}
		if err := st.file("latencies.csv", func(w io.Writer) error {
			params := make([]map[string]string, len(s.Points))
			for i := range s.Points {
				params[i] = s.Points[i].Params
			}
			lw, err := results.NewLatencyWriter(w, params)
			if err != nil {
				return err
			}
			for i := range lat {
				if err := lw.Write(&lat[i]); err != nil {
					return err
				}
			}
			return lw.Flush()
		}); err != nil {
			return err
		}
		if err := st.file("load.csv", func(w io.Writer) error { return results.WriteLoad(w, load) }); err != nil {
			return err
		}
		if err := st.file("scenario.yaml", func(w io.Writer) error { _, err := w.Write(scenarioYAML); return err }); err != nil {
			return err
		}
		// Charts are drawn from the numbers as the files store them, so
		// that 'cmsim plot' redraws them identically.
		for i := range lat {
			lat[i].Canonicalize()
		}
		for i := range load {
			load[i].Canonicalize()
		}
		return writeCharts(st, s, lat, load, scenarioYAML, formats)
	}()
	return st.finish(err)
}

// writeCharts stages the charts and report.html.
func writeCharts(st *stager, s *results.Summary, lat []results.LatencyRow, load []results.LoadRow, scenarioYAML []byte, formats []string) error {
	links := []string{"summary.json", "latencies.csv", "load.csv", "scenario.yaml"}
	if len(formats) > 0 {
		charts, err := plots.All(s, lat, load)
		if err != nil {
			return fmt.Errorf("charts: %v", err)
		}
		for _, c := range charts {
			for _, f := range formats {
				name := "charts/" + c.Name + "." + f
				var buf bytes.Buffer
				if err := c.Render(f, &buf); err != nil {
					return fmt.Errorf("chart %s: %v", name, err)
				}
				if err := st.file(name, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
					return err
				}
				links = append(links, name)
			}
		}
	}
	sort.Strings(links[4:])
	return st.file("report.html", func(w io.Writer) error {
		return report.Write(w, report.Input{Summary: s, ScenarioYAML: scenarioYAML, Latencies: lat, Load: load, Links: links})
	})
}

// traceMaxPods bounds --trace: every step of every pod is a line.
const traceMaxPods = 2000

// writeTrace writes a run's trace, one step a line: seconds since the start,
// then what happened.
func writeTrace(path string, trace []model.TraceEvent) error {
	st := &stager{dir: filepath.Dir(path)}
	err := st.file(filepath.Base(path), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		for _, e := range trace {
			fmt.Fprintf(bw, "%12.6fs %s\n", e.At.Seconds(), e.Text)
		}
		return bw.Flush()
	})
	_, err = st.finish(err)
	return err
}
