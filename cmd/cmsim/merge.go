package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"cmsim/experiment"

	"github.com/spf13/pflag"
)

type mergeOptions struct {
	out    string
	format string
	plots  string
	force  bool
}

var mergeCommand = &command{
	usage: "merge DIR... --out DIR [flags]",
	short: "combine the partial results of 'cmsim run --shard' into one run's output",
	long: `Merge reads the partial results written by 'cmsim run --shard I/N' (one
directory per shard, all N of them, in any order) and writes into --out
exactly the files that one unsharded 'cmsim run' of the scenario writes:
summary.json, latencies.csv, load.csv, scenario.yaml, charts/ and
report.html, byte for byte.

Like 'cmsim run', it prints only the summary on stdout (a table, or with
--format json or csv the document alone), everything else on stderr, and
replaces the previous cmsim output in --out as a whole.

It refuses (exit 2) partials of different scenarios, seeds, settings or
shard counts, a shard given twice or missing, a shard lacking runs, and
rows out of place in a shard's latencies.csv. The rows stream through one
at a time, so a merge takes no more memory than a run.`,
	flags: func(fs *pflag.FlagSet) any {
		o := &mergeOptions{}
		fs.StringVarP(&o.out, "out", "o", "cmsim-out", "write results into `DIR`")
		fs.StringVar(&o.format, "format", "table", "summary on stdout: `table`, json or csv")
		fs.StringVar(&o.plots, "plots", "svg,png", plotsUsage)
		fs.BoolVar(&o.force, "force", false, "write into a non-empty --out that holds no previous cmsim output (its files are left alone)")
		return o
	},
	args: func(n int) bool { return n >= 1 },
	run: func(e *env, opts any, args []string) error {
		o := opts.(*mergeOptions)
		if err := checkFormat(o.format); err != nil {
			return err
		}
		if err := checkOutDir(o.out, o.force); err != nil {
			return err
		}
		formats, err := plotFormats(o.plots)
		if err != nil {
			return err
		}
		parts := make([]*experiment.Partial, len(args))
		for i, dir := range args {
			pr, err := experiment.ReadPartial(func(name string) (io.ReadCloser, error) {
				return os.Open(filepath.Join(dir, name))
			})
			if err != nil {
				return usagef("%s: not a partial result of 'cmsim run --shard': %v", dir, err)
			}
			parts[i] = pr
		}
		mg, err := experiment.Merge(args, parts)
		if err != nil {
			var me *experiment.MergeError
			if errors.As(err, &me) {
				return usagef("merge: %v", err)
			}
			return err
		}
		fmt.Fprintf(e.stderr, "cmsim: merged %d shard(s) of scenario %s, seed %d: %d point(s) × %d replication(s)\n",
			len(parts), mg.Scenario, mg.Seed, len(mg.Params), mg.Replications)
		sm := experiment.Summarize(mg.Scenario, mg.Seed, mg.Replications, mg.Params, mg.Slots)
		f := &runFiles{summary: sm.Summary, load: sm.Load, scenarioYAML: mg.ScenarioYAML}
		// The shards' rows stream through into latencies.csv, digested
		// for the charts on the way.
		f.latencies = func(w io.Writer) error {
			lat, err := mg.WriteLatencies(w, func(dir string) (io.ReadCloser, error) {
				return os.Open(filepath.Join(dir, experiment.LatenciesFile))
			})
			var me *experiment.MergeError
			if errors.As(err, &me) {
				return usagef("merge: %v", err)
			}
			f.latency = lat
			return err
		}
		st := &stager{dir: o.out}
		return finishRun(e, st, o.format, nil, f, formats)
	},
}

// writePartial writes a shard's partial result into st's folder,
// atomically; latencies writes the rows of its latencies.csv.
func writePartial(st *stager, pr *experiment.Partial, latencies func(w io.Writer) error) ([]string, error) {
	var err error
	for _, f := range pr.Files(latencies) {
		if err = st.file(f.Name, f.Write); err != nil {
			break
		}
	}
	return st.finish(err)
}
