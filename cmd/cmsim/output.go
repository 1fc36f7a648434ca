package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"cmsim/model"
	"cmsim/plots"
	"cmsim/report"
	"cmsim/results"
)

// manifestName lists, one path a line, the files cmsim wrote into an output
// folder, so that the next command writing there replaces exactly those and
// leaves every other file alone.
const manifestName = ".cmsim-files"

// stagingPrefix names the folder inside DIR where a command's files are
// written before any of them replaces the previous output.
const stagingPrefix = ".cmsim-staging-"

// stager writes a command's output files into a staging folder inside dir
// and, only when every one was written, moves them into dir and removes the
// files of the previous cmsim output there that it replaces: a failed
// command changes nothing, and a folder never mixes two runs. Files cmsim
// did not write (not in the folder's manifest) are never touched.
type stager struct {
	dir     string
	created bool     // dir did not exist before
	stage   string   // created by the first file
	names   []string // final names, relative to dir
	// replaces reports whether a file of the previous output is replaced
	// by this one (nil: all of it is); the others stay in the manifest.
	replaces func(name string) bool
	// adopt names files already in dir that this command read as cmsim's
	// own; they join the manifest when there is none yet (a folder written
	// before manifests existed).
	adopt []string
}

// file writes name (relative to dir) into the staging folder with write.
func (st *stager) file(name string, write func(w io.Writer) error) error {
	if !filepath.IsLocal(name) {
		return fmt.Errorf("output file %q is outside %s", name, st.dir)
	}
	if _, err := st.stageDir(); err != nil {
		return err
	}
	path := filepath.Join(st.stage, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	st.names = append(st.names, name)
	// Results are for sharing, whatever the umask.
	err = f.Chmod(0o644)
	if err == nil {
		err = write(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	var bad usageError
	if errors.As(err, &bad) {
		return err // bad input, not a failed write
	}
	if err != nil {
		return fmt.Errorf("writing %s: %v", filepath.Join(st.dir, name), err)
	}
	return nil
}

// commit moves every staged file into place, removes the replaced files of
// the previous output and writes the new manifest.
func (st *stager) commit() error {
	old, hadManifest, err := readManifest(st.dir)
	if err != nil {
		return err
	}
	if !hadManifest {
		old = st.adopt
		if legacy, ok := legacyOutput(st.dir); ok {
			old = append(old, legacy...)
		}
	}
	written := map[string]bool{}
	for _, name := range st.names {
		written[name] = true
		final := filepath.Join(st.dir, name)
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(st.stage, name), final); err != nil {
			return err
		}
	}
	keep := append([]string(nil), st.names...)
	for _, name := range old {
		switch {
		case written[name]:
		case st.replaces == nil || st.replaces(name):
			removeOutput(st.dir, name)
		default:
			keep = append(keep, name)
		}
	}
	sort.Strings(keep)
	keep = slices.Compact(keep)
	var b bytes.Buffer
	b.WriteString("# Files written by cmsim; the next cmsim command writing into this folder\n# replaces them and leaves every other file alone.\n")
	for _, name := range keep {
		b.WriteString(name + "\n")
	}
	tmp := filepath.Join(st.stage, manifestName)
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(st.dir, manifestName)); err != nil {
		return err
	}
	err = os.RemoveAll(st.stage)
	st.stage, st.created = "", false // committed: abort has nothing to undo
	return err
}

// removeOutput removes a previous output file and the folders it leaves
// empty (never dir itself).
func removeOutput(dir, name string) {
	if err := os.Remove(filepath.Join(dir, name)); err != nil {
		return
	}
	for d := filepath.Dir(name); d != "."; d = filepath.Dir(d) {
		if os.Remove(filepath.Join(dir, d)) != nil {
			return // not empty
		}
	}
}

// finish commits the staged files if err is nil, and otherwise removes
// them; it returns the files' names.
func (st *stager) finish(err error) ([]string, error) {
	if err == nil && st.stage == "" {
		err = errors.New("no output files")
	}
	if err == nil {
		err = st.commit()
	}
	if err != nil {
		st.abort()
		return nil, err
	}
	return st.names, nil
}

// abort removes the staging folder, and dir too if it was created for it
// and is now empty.
func (st *stager) abort() {
	if st.stage != "" {
		os.RemoveAll(st.stage)
		if st.created {
			os.Remove(st.dir) // only if empty
		}
		st.stage = ""
	}
}

// readManifest returns the files listed in dir's manifest; paths that are
// not inside dir are ignored, so that a hand-edited manifest can never make
// cmsim delete anything outside the folder.
func readManifest(dir string) (names []string, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") || !filepath.IsLocal(line) || line == manifestName {
			continue
		}
		names = append(names, line)
	}
	return names, true, nil
}

// checkOutDir refuses, before anything runs, an output folder that holds
// files but no cmsim manifest, unless each of them has a name only cmsim
// gives (an older cmsim's output): cmsim cannot tell which files are a
// previous run's, so it would leave them beside the new ones. --force
// writes there anyway, leaving every file it does not write alone.
func checkOutDir(dir string, force bool) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return usagef("--out %s is a file, not a folder", dir)
	}
	if _, ok, err := readManifest(dir); ok || err != nil || force {
		return err
	}
	if _, ok := legacyOutput(dir); ok {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var foreign []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), stagingPrefix) {
			foreign = append(foreign, e.Name())
		}
	}
	more := ""
	if len(foreign) > 3 {
		more = fmt.Sprintf(" and %d more", len(foreign)-3)
		foreign = foreign[:3]
	}
	return usagef("--out %s holds files cmsim did not record writing (%s%s): choose an empty or new folder, or pass --force to write into it anyway (cmsim then overwrites its own file names and leaves every other file alone)",
		dir, strings.Join(foreign, ", "), more)
}

// legacyNames are the files a cmsim without manifests wrote at the top of
// an output folder (run, merge, plan and shards); charts went into charts/.
var legacyNames = []string{"summary.json", "latencies.csv", "load.csv", "scenario.yaml", "report.html", "plan.json", "manifest.json"}

// legacyOutput returns the files of dir when every one has a name only
// cmsim gives (an output folder of a cmsim older than manifests, or an
// empty one): they are all cmsim's, so a new run may replace them. ok is
// false when any other file is there.
func legacyOutput(dir string) (names []string, ok bool) {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case rel == ".":
			return nil
		case d.IsDir() && strings.HasPrefix(rel, stagingPrefix):
			return filepath.SkipDir
		case d.IsDir() && rel == "charts":
			return nil
		case d.Type().IsRegular() && (slices.Contains(legacyNames, rel) || isChart(rel)):
			names = append(names, rel)
			return nil
		}
		return errForeign
	})
	return names, err == nil
}

var errForeign = errors.New("a file cmsim does not write")

// isChart reports whether name is one of cmsim's chart files.
func isChart(name string) bool {
	base, ok := strings.CutPrefix(name, "charts/")
	return ok && !strings.Contains(base, "/") && (strings.HasSuffix(base, ".svg") || strings.HasSuffix(base, ".png"))
}

// writeFileAtomic writes one file at path through a temporary file beside
// it, so that a failure never leaves it half-written.
func writeFileAtomic(path string, write func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	// CreateTemp makes the file private (0600); results are for sharing.
	err = f.Chmod(0o644)
	if err == nil {
		err = write(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing %s: %v", path, err)
	}
	return nil
}

// runFiles is what a run or a merge writes.
type runFiles struct {
	summary *results.Summary
	// latency digests each point's rows for the charts; latencies writes
	// latencies.csv, and may fill latency as it goes (a merge digests the
	// rows it copies).
	latency      []results.LatencyDigest
	latencies    func(w io.Writer) error
	load         []results.LoadRow
	scenarioYAML []byte
	chartsWall   time.Duration // set by writeOutputs: drawing the charts and report
}

// writeOutputs stages a run's files and commits them into st's folder,
// returning their names; extra may stage more files (such as a trace
// inside the folder).
func writeOutputs(st *stager, extra func(st *stager) error, f *runFiles, formats []string) ([]string, error) {
	err := func() error {
		if extra != nil {
			if err := extra(st); err != nil {
				return err
			}
		}
		if err := st.file("summary.json", func(w io.Writer) error { return results.WriteSummary(w, f.summary) }); err != nil {
			return err
		}
		if err := st.file("latencies.csv", f.latencies); err != nil {
			return err
		}
		if err := st.file("load.csv", func(w io.Writer) error { return results.WriteLoad(w, f.load) }); err != nil {
			return err
		}
		if err := st.file("scenario.yaml", func(w io.Writer) error { _, err := w.Write(f.scenarioYAML); return err }); err != nil {
			return err
		}
		// Charts are drawn from the numbers as the files store them, so
		// that 'cmsim plot' redraws them identically (the latency digests
		// already are).
		for i := range f.load {
			f.load[i].Canonicalize()
		}
		start := time.Now()
		defer func() { f.chartsWall = time.Since(start) }()
		return writeCharts(st, f.summary, f.latency, f.load, f.scenarioYAML, formats)
	}()
	return st.finish(err)
}

// plotsUsage documents --plots for the commands that write a report.
const plotsUsage = "chart files: `LIST` of svg and png, or none (report.html inlines its SVG charts either way)"

// writeCharts stages the charts and report.html.
func writeCharts(st *stager, s *results.Summary, lat []results.LatencyDigest, load []results.LoadRow, scenarioYAML []byte, formats []string) error {
	links := []string{"summary.json", "latencies.csv", "load.csv", "scenario.yaml"}
	in := report.Input{Summary: s, ScenarioYAML: scenarioYAML, Latency: lat, Load: load}
	charts, err := plots.All(s, lat, load)
	if err != nil {
		return fmt.Errorf("charts: %v", err)
	}
	names, svgs, err := stageCharts(st, charts, formats)
	if err != nil {
		return err
	}
	links = append(links, names...)
	sort.Strings(links[4:])
	in.Links, in.Charts, in.SVGs = links, charts, svgs
	return st.file("report.html", func(w io.Writer) error { return report.Write(w, in) })
}

// stageCharts renders the charts on every core, each chart's formats one
// after the other (drawing a plot sets its axes' ranges, so a chart is
// never drawn twice at once), and stages each as charts/NAME.FORMAT; it
// returns the files' names and each chart's SVG (rendered even without svg
// in formats), for the report to inline.
func stageCharts(st *stager, charts []plots.Chart, formats []string) ([]string, [][]byte, error) {
	all := formats
	if !slices.Contains(formats, "svg") {
		all = append(slices.Clone(formats), "svg")
	}
	rendered := make([][][]byte, len(charts)) // by chart, then format
	errs := make([]error, len(charts))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.NumCPU(), len(charts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				rendered[c] = make([][]byte, len(all))
				for k, f := range all {
					var buf bytes.Buffer
					if err := charts[c].Render(f, &buf); err != nil {
						errs[c] = fmt.Errorf("chart %s: %v", "charts/"+charts[c].Name+"."+f, err)
						break
					}
					rendered[c][k] = buf.Bytes()
				}
			}
		}()
	}
	// Pages of panels first: they take longest, and a core left with one
	// at the end would wait alone.
	order := make([]int, len(charts))
	for i := range order {
		order[i] = i
	}
	panels := func(c plots.Chart) int { return max(1, len(c.Page)) }
	sort.SliceStable(order, func(a, b int) bool { return panels(charts[order[a]]) > panels(charts[order[b]]) })
	for _, c := range order {
		next <- c
	}
	close(next)
	wg.Wait()
	var names []string
	svgs := make([][]byte, len(charts))
	for c := range charts {
		if errs[c] != nil {
			return nil, nil, errs[c]
		}
		for k, f := range all {
			b := rendered[c][k]
			if f == "svg" {
				svgs[c] = b
			}
			if !slices.Contains(formats, f) {
				continue
			}
			name := "charts/" + charts[c].Name + "." + f
			if err := st.file(name, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
				return nil, nil, err
			}
			names = append(names, name)
		}
	}
	return names, svgs, nil
}

// traceMaxPods bounds --trace: every step of every pod is a line.
const traceMaxPods = 2000

// writeTrace writes a run's trace, one step a line: seconds since the start,
// then what happened.
func writeTrace(w io.Writer, trace []model.TraceEvent) error {
	bw := bufio.NewWriter(w)
	for _, e := range trace {
		fmt.Fprintf(bw, "%12.6fs %s\n", e.At.Seconds(), e.Text)
	}
	return bw.Flush()
}
