package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"cmsim/results"

	"github.com/spf13/pflag"
)

var plotCommand = &command{
	usage: "plot DIR [--plots svg,png]",
	short: "redraw the charts and report of an output folder",
	long: `Plot reads summary.json, latencies.csv, load.csv and scenario.yaml from an
output folder written by 'cmsim run' and writes its charts and report.html
again, without simulating. The files are identical to the run's. Charts
of the folder's previous rendering that this one does not draw (say PNGs
after --plots svg) are removed; files cmsim did not write are left alone.`,
	flags: func(fs *pflag.FlagSet) any {
		return fs.String("plots", "svg,png", plotsUsage)
	},
	args: exactly(1),
	run: func(e *env, opts any, args []string) error {
		formats, err := plotFormats(*opts.(*string))
		if err != nil {
			return err
		}
		dir := args[0]
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return usagef("%s: not an output folder of 'cmsim run'", dir)
		}
		var s *results.Summary
		var lat []results.LatencyDigest
		var load []results.LoadRow
		var scenarioYAML []byte
		read := func(name string, f func(r io.Reader) error) error {
			fh, err := os.Open(filepath.Join(dir, name))
			if err != nil {
				return usagef("%v", err)
			}
			defer fh.Close()
			if err := f(fh); err != nil {
				return usagef("%s: %v", filepath.Join(dir, name), err)
			}
			return nil
		}
		if err := read("summary.json", func(r io.Reader) (err error) { s, err = results.ReadSummary(r); return }); err != nil {
			return err
		}
		// The rows are digested as they stream by, as the run did.
		if err := read("latencies.csv", func(r io.Reader) (err error) { lat, err = results.DigestLatencies(r, len(s.Points)); return }); err != nil {
			return err
		}
		if err := read("load.csv", func(r io.Reader) (err error) { load, err = results.ReadLoad(r); return }); err != nil {
			return err
		}
		if err := read("scenario.yaml", func(r io.Reader) (err error) { scenarioYAML, err = io.ReadAll(r); return }); err != nil {
			return err
		}
		// Plot replaces the charts and report, and keeps the files it read.
		st := &stager{dir: dir, adopt: []string{"summary.json", "latencies.csv", "load.csv", "scenario.yaml"},
			replaces: func(name string) bool { return name == "report.html" || strings.HasPrefix(name, "charts/") }}
		names, err := st.finish(writeCharts(st, s, lat, load, scenarioYAML, formats))
		if err != nil {
			return err
		}
		for _, n := range names {
			fmt.Fprintln(e.stdout, filepath.Join(dir, n))
		}
		return nil
	},
}
