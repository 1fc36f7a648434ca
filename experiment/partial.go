package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"cmsim/results"
)

// PartialFormat is the format tag of a partial result's manifest.json.
const PartialFormat = "cmsim-partial/v1"

// Partial result files, inside the directory of a shard.
const (
	ManifestFile  = "manifest.json" // Manifest, with every run's metrics
	ScenarioFile  = "scenario.yaml" // the resolved scenario, byte for byte as an unsharded run writes it
	LatenciesFile = "latencies.csv" // the shard's latency rows, same format as a run's
	LoadFile      = "load.csv"      // the shard's load rows, same format as a run's
)

// Manifest describes a partial result: which scenario, seed and shard it
// holds, and the metrics of every run of the shard.
type Manifest struct {
	Format         string `json:"format"`
	Scenario       string `json:"scenario"`
	Seed           uint64 `json:"seed"`
	ScenarioSHA256 string `json:"scenario_sha256"` // of the resolved scenario.yaml
	Shard          Shard  `json:"shard"`
	Points         int    `json:"points"`
	Replications   int    `json:"replications"`
	// Samples is the latency row limit per run (-1: all), as --samples.
	Samples int `json:"samples"`
	// Params label every point of the grid (not only this shard's).
	Params []map[string]string `json:"params"`
	Runs   []RunRecord         `json:"runs"`
}

// Shard is shard Index (0-based) of Count.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// RunRecord is one run of a partial result, without its rows.
type RunRecord struct {
	Point       int             `json:"point"`
	Replication int             `json:"replication"`
	Seed        uint64          `json:"seed"`
	Events      uint64          `json:"events"`
	Metrics     results.Metrics `json:"metrics"`
}

// Partial is one shard's result: its manifest, the resolved scenario and
// the runs with their load rows (its latency rows stay in its
// latencies.csv, read as a merge writes them: see [Merged.WriteLatencies]).
type Partial struct {
	Manifest
	ScenarioYAML []byte
	Runs         []*Run // in job order
}

// Hash returns the hex SHA-256 of a resolved scenario.
func Hash(scenarioYAML []byte) string {
	h := sha256.Sum256(scenarioYAML)
	return hex.EncodeToString(h[:])
}

// NewPartial packs the finished runs of shard sh of plan p.
func NewPartial(p *Plan, sh Shard, samples int, slots []*Run) *Partial {
	yaml := p.Scenario.ResolvedYAML()
	pr := &Partial{
		Manifest: Manifest{
			Format: PartialFormat, Scenario: p.Scenario.Name, Seed: p.Scenario.Seed,
			ScenarioSHA256: Hash(yaml), Shard: sh, Points: len(p.Points), Replications: p.Replications,
			Samples: samples, Params: p.Params(), Runs: []RunRecord{},
		},
		ScenarioYAML: yaml,
	}
	for _, r := range slots {
		if r != nil {
			pr.Runs = append(pr.Runs, r)
			pr.Manifest.Runs = append(pr.Manifest.Runs, RunRecord{Point: r.Point, Replication: r.Replication, Seed: r.Seed, Events: r.Events, Metrics: r.Metrics})
		}
	}
	return pr
}

// File is one file of a partial result.
type File struct {
	Name  string
	Write func(w io.Writer) error
}

// Files returns the files of the partial result, to be written into its
// directory; latencies writes the rows of its latencies.csv after the
// header (see [WriteLatencyHeader]).
func (pr *Partial) Files(latencies func(w io.Writer) error) []File {
	return []File{
		{ManifestFile, func(w io.Writer) error {
			b, err := json.MarshalIndent(&pr.Manifest, "", "  ")
			if err != nil {
				return err
			}
			_, err = w.Write(append(b, '\n'))
			return err
		}},
		{ScenarioFile, func(w io.Writer) error { _, err := w.Write(pr.ScenarioYAML); return err }},
		{LatenciesFile, func(w io.Writer) error {
			if err := WriteLatencyHeader(w, pr.Manifest.Params); err != nil {
				return err
			}
			return latencies(w)
		}},
		{LoadFile, func(w io.Writer) error {
			var rows []results.LoadRow
			for _, r := range pr.Runs {
				rows = append(rows, r.Load...)
			}
			return results.WriteLoad(w, rows)
		}},
	}
}

// ReadPartial reads a partial result through open, which opens one of its
// files by name (see [ManifestFile] and the others).
func ReadPartial(open func(name string) (io.ReadCloser, error)) (*Partial, error) {
	read := func(name string, f func(io.Reader) error) error {
		rc, err := open(name)
		if err != nil {
			return err
		}
		defer rc.Close()
		if err := f(rc); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		return nil
	}
	pr := &Partial{}
	if err := read(ManifestFile, func(r io.Reader) error {
		dec := json.NewDecoder(r)
		dec.DisallowUnknownFields()
		return dec.Decode(&pr.Manifest)
	}); err != nil {
		return nil, err
	}
	m := &pr.Manifest
	if m.Format != PartialFormat {
		return nil, fmt.Errorf("%s: format %q, want %q (not a partial result of 'cmsim run --shard'?)", ManifestFile, m.Format, PartialFormat)
	}
	if m.Shard.Count < 1 || m.Shard.Index < 0 || m.Shard.Index >= m.Shard.Count || m.Replications < 1 || m.Points != len(m.Params) {
		return nil, fmt.Errorf("%s: inconsistent shard, points or replications", ManifestFile)
	}
	if err := read(ScenarioFile, func(r io.Reader) (err error) { pr.ScenarioYAML, err = io.ReadAll(r); return }); err != nil {
		return nil, err
	}
	if Hash(pr.ScenarioYAML) != m.ScenarioSHA256 {
		return nil, fmt.Errorf("%s does not match the hash in %s", ScenarioFile, ManifestFile)
	}
	byRun := map[[2]int]*Run{}
	for _, rec := range m.Runs {
		if rec.Point < 0 || rec.Point >= m.Points || rec.Replication < 0 || rec.Replication >= m.Replications {
			return nil, fmt.Errorf("%s: run (point %d, replication %d) is outside the grid", ManifestFile, rec.Point, rec.Replication)
		}
		k := [2]int{rec.Point, rec.Replication}
		if byRun[k] != nil {
			return nil, fmt.Errorf("%s: run (point %d, replication %d) is listed twice", ManifestFile, rec.Point, rec.Replication)
		}
		r := &Run{Job: Job{Point: rec.Point, Replication: rec.Replication, Seed: rec.Seed}, Metrics: rec.Metrics, Events: rec.Events}
		byRun[k] = r
		pr.Runs = append(pr.Runs, r)
	}
	owner := func(point, rep int, what string) (*Run, error) {
		r := byRun[[2]int{point, rep}]
		if r == nil {
			return nil, fmt.Errorf("%s has a row of (point %d, replication %d), which is not in %s", what, point, rep, ManifestFile)
		}
		return r, nil
	}
	// The rows are read by the merge; check the header now.
	if err := read(LatenciesFile, func(rd io.Reader) error { _, err := results.NewLatencyReader(rd); return err }); err != nil {
		return nil, err
	}
	if err := read(LoadFile, func(rd io.Reader) error {
		rows, err := results.ReadLoad(rd)
		for _, row := range rows {
			r, err := owner(row.Point, row.Replication, LoadFile)
			if err != nil {
				return err
			}
			r.Load = append(r.Load, row)
		}
		return err
	}); err != nil {
		return nil, err
	}
	sort.Slice(pr.Runs, func(i, j int) bool {
		a, b := pr.Runs[i], pr.Runs[j]
		if a.Point != b.Point {
			return a.Point < b.Point
		}
		return a.Replication < b.Replication
	})
	return pr, nil
}

// Merged is the combination of every shard of a sharded run: what an
// unsharded run would have computed.
type Merged struct {
	Scenario     string
	Seed         uint64
	Replications int
	Samples      int
	Params       []map[string]string
	ScenarioYAML []byte
	Slots        []*Run // one per job, in job order; none is nil
	// ShardNames[i] names shard i's partial (as given to Merge).
	ShardNames []string
}

// MergeError is a set of partials that do not make one complete run.
type MergeError struct{ Msg string }

func (e *MergeError) Error() string { return e.Msg }

func mergef(format string, args ...any) error { return &MergeError{fmt.Sprintf(format, args...)} }

// Merge combines partial results. names label the partials in errors (their
// directories). It fails with a *MergeError when they come from different
// scenarios, seeds or shard counts, when a shard is missing or given twice,
// or when a shard lacks some of its runs.
func Merge(names []string, parts []*Partial) (*Merged, error) {
	if len(parts) == 0 {
		return nil, mergef("nothing to merge")
	}
	first := &parts[0].Manifest
	seen := make([]string, first.Shard.Count)
	for k, pr := range parts {
		m := &pr.Manifest
		switch {
		case m.Scenario != first.Scenario:
			return nil, mergef("%s is scenario %q but %s is %q", names[k], m.Scenario, names[0], first.Scenario)
		case m.Seed != first.Seed:
			return nil, mergef("%s has seed %d but %s has seed %d", names[k], m.Seed, names[0], first.Seed)
		case m.ScenarioSHA256 != first.ScenarioSHA256:
			return nil, mergef("%s and %s ran different scenario settings (scenario.yaml differs)", names[k], names[0])
		case m.Shard.Count != first.Shard.Count:
			return nil, mergef("%s is shard %s but %s is shard %s: the shard counts differ", names[k], m.Shard, names[0], first.Shard)
		case m.Samples != first.Samples:
			return nil, mergef("%s and %s were run with different --samples", names[k], names[0])
		}
		if prev := seen[m.Shard.Index]; prev != "" {
			return nil, mergef("shard %s is given twice: %s and %s", m.Shard, prev, names[k])
		}
		seen[m.Shard.Index] = names[k]
	}
	var missing []string
	for i, n := range seen {
		if n == "" {
			missing = append(missing, fmt.Sprintf("%d/%d", i, first.Shard.Count))
		}
	}
	if len(missing) > 0 {
		return nil, mergef("missing shard(s) %v of %d", missing, first.Shard.Count)
	}
	reps, n := first.Replications, first.Shard.Count
	mg := &Merged{
		Scenario: first.Scenario, Seed: first.Seed, Replications: reps, Samples: first.Samples,
		Params: first.Params, ScenarioYAML: parts[0].ScenarioYAML,
		Slots: make([]*Run, first.Points*reps), ShardNames: seen,
	}
	for k, pr := range parts {
		for _, r := range pr.Runs {
			j := r.Point*reps + r.Replication
			if j%n != pr.Shard.Index {
				return nil, mergef("%s holds run (point %d, replication %d), which belongs to shard %d/%d", names[k], r.Point, r.Replication, j%n, n)
			}
			mg.Slots[j] = r
		}
	}
	for j, r := range mg.Slots {
		if r == nil {
			return nil, mergef("%s (shard %d/%d) lacks run (point %d, replication %d); was it interrupted?", seen[j%n], j%n, n, j/reps, j%reps)
		}
	}
	return mg, nil
}

// WriteLatencyHeader writes the header of latencies.csv for a plan's points.
func WriteLatencyHeader(w io.Writer, params []map[string]string) error {
	lw, err := results.NewLatencyWriter(w, params)
	if err != nil {
		return err
	}
	return lw.Flush()
}

// WriteLatencies writes the latencies.csv of a merge to w: the rows of
// every shard's latencies.csv, which open opens by the shard's name
// (ShardNames), in job order, read one at a time. It returns the digest of
// each point's rows, as [Summarize] gives them for a run. Rows out of
// place in a shard's file are a *MergeError.
func (mg *Merged) WriteLatencies(w io.Writer, open func(name string) (io.ReadCloser, error)) ([]results.LatencyDigest, error) {
	n, reps, points := len(mg.ShardNames), mg.Replications, len(mg.Params)
	readers := make([]*results.LatencyReader, n)
	for i, name := range mg.ShardNames {
		rc, err := open(name)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		if readers[i], err = results.NewLatencyReader(rc); err != nil {
			return nil, mergef("%s: %v", name, err)
		}
	}
	ahead := make([]*results.LatencyRow, n)
	eof := make([]bool, n)
	peek := func(i int) (*results.LatencyRow, error) {
		if ahead[i] == nil && !eof[i] {
			row, err := readers[i].Read()
			switch {
			case err == io.EOF:
				eof[i] = true
			case err != nil:
				return nil, mergef("%s: %v", mg.ShardNames[i], err)
			default:
				ahead[i] = row
			}
		}
		return ahead[i], nil
	}
	lw, err := results.NewLatencyWriter(w, mg.Params)
	if err != nil {
		return nil, err
	}
	out := make([]results.LatencyDigest, points)
	for j := range mg.Slots {
		i := j % n
		rd := results.NewRunDigester(j % reps)
		for {
			row, err := peek(i)
			if err != nil {
				return nil, err
			}
			if row == nil {
				break
			}
			rj := row.Point*reps + row.Replication
			if row.Point < 0 || row.Point >= points || row.Replication < 0 || row.Replication >= reps || rj%n != i || rj < j {
				return nil, mergef("%s: %s:%d: a row of (point %d, replication %d) out of place: a shard's rows go run by run, in job order", mg.ShardNames[i], LatenciesFile, readers[i].Line(), row.Point, row.Replication)
			}
			if rj > j {
				break // the shard's next run
			}
			if err := lw.Write(row); err != nil {
				return nil, err
			}
			if err := rd.Add(row); err != nil {
				return nil, mergef("%s: %s:%d: %v", mg.ShardNames[i], LatenciesFile, readers[i].Line(), err)
			}
			ahead[i] = nil
		}
		d := rd.Digest()
		out[j/reps].Pool(&d)
	}
	for i := range readers {
		if row, err := peek(i); err != nil || row != nil {
			if err != nil {
				return nil, err
			}
			return nil, mergef("%s: %s:%d: a row of (point %d, replication %d) out of place: a shard's rows go run by run, in job order", mg.ShardNames[i], LatenciesFile, readers[i].Line(), row.Point, row.Replication)
		}
	}
	return out, lw.Flush()
}
