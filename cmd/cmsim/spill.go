package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cmsim/experiment"
	"cmsim/results"
)

// spillDir is the folder, inside a command's staging folder, that holds
// each run's latency rows until latencies.csv is assembled from them; it
// goes with the staging folder.
const spillDir = "latency-rows"

// latencySpill is the experiment.LatencySink of 'cmsim run': each finished
// run's rows go to a file of their own in the staging folder, as
// latencies.csv will hold them (their point is the plan's, their
// parameter cells those of the plan's points), so that no run's rows stay
// in memory and latencies.csv is assembled in job order by copying.
type latencySpill struct {
	st     *stager
	params []map[string]string // the plan's points
	mu     sync.Mutex
	dir    string
	closed bool
	jobs   map[int]bool // jobs whose file was written in full
}

func newLatencySpill(st *stager, params []map[string]string) *latencySpill {
	return &latencySpill{st: st, params: params, jobs: map[int]bool{}}
}

func (sp *latencySpill) path(j int) string {
	return filepath.Join(sp.dir, "job-"+strconv.Itoa(j)+".csv")
}

// Open implements experiment.LatencySink.
func (sp *latencySpill) Open(j int) (experiment.LatencyRowWriter, error) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.closed {
		return nil, errors.New("the run's outputs are already written")
	}
	if sp.dir == "" {
		stage, err := sp.st.stageDir()
		if err != nil {
			return nil, err
		}
		sp.dir = filepath.Join(stage, spillDir)
		if err := os.MkdirAll(sp.dir, 0o755); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(sp.path(j), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	return &spillWriter{sp: sp, job: j, f: f, lw: results.NewLatencyRowWriter(f, sp.params)}, nil
}

// close stops the spill taking rows: runs abandoned by an interrupt may
// still finish, and their rows are not wanted.
func (sp *latencySpill) close() {
	if sp == nil {
		return
	}
	sp.mu.Lock()
	sp.closed = true
	sp.mu.Unlock()
}

type spillWriter struct {
	sp  *latencySpill
	job int
	f   *os.File
	lw  *results.LatencyWriter
}

func (w *spillWriter) Write(r *results.LatencyRow) error { return w.lw.Write(r) }

func (w *spillWriter) Close() error {
	err := w.lw.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("spilling latency rows: %v", err)
	}
	w.sp.mu.Lock()
	w.sp.jobs[w.job] = true
	w.sp.mu.Unlock()
	return nil
}

// copyJob appends job j's rows to w, renumbered to point (the summary's)
// and with the parameter cells of out's columns when they differ from the
// plan's. A job without rows appends nothing.
func (sp *latencySpill) copyJob(out *results.LatencyWriter, w io.Writer, j, point int, renumber bool) error {
	sp.mu.Lock()
	ok := sp.jobs[j]
	sp.mu.Unlock()
	if !ok {
		return nil
	}
	f, err := os.Open(sp.path(j))
	if err != nil {
		return err
	}
	defer f.Close()
	if !renumber {
		_, err = io.Copy(w, f)
		return err
	}
	// Rare (after an unfinished point): parse and write again, which
	// gives exactly the bytes of a row written with the new point.
	var head strings.Builder
	if err := experiment.WriteLatencyHeader(&head, sp.params); err != nil {
		return err
	}
	lr, err := results.NewLatencyReader(io.MultiReader(strings.NewReader(head.String()), bufio.NewReaderSize(f, 1<<16)))
	if err != nil {
		return err
	}
	for {
		row, err := lr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		row.Point = point
		if err := out.Write(row); err != nil {
			return err
		}
	}
}

// writeLatencies writes latencies.csv from the spilled rows of the
// summarized points, in job order: the file a run that kept its rows in
// memory would write.
func (sp *latencySpill) writeLatencies(w io.Writer, sm *experiment.Summarized, reps int) error {
	params := make([]map[string]string, len(sm.Summary.Points))
	for i := range sm.Summary.Points {
		params[i] = sm.Summary.Points[i].Params
	}
	lw, err := results.NewLatencyWriter(w, params)
	if err != nil {
		return err
	}
	if err := lw.Flush(); err != nil {
		return err
	}
	if sp == nil {
		return nil
	}
	planKeys, planNames := results.ParamColumns(sp.params)
	keys, names := results.ParamColumns(params)
	sameColumns := slices.Equal(planKeys, keys) && slices.Equal(planNames, names)
	for k, pi := range sm.PlanPoints {
		for r := range reps {
			renumber := pi != k || !sameColumns
			if err := sp.copyJob(lw, w, pi*reps+r, k, renumber); err != nil {
				return err
			}
			if renumber {
				if err := lw.Flush(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// writeShardLatencies writes the rows of a shard's jobs after the header
// its partial's latencies.csv already has.
func (sp *latencySpill) writeShardLatencies(w io.Writer, jobs []int) error {
	if sp == nil {
		return nil
	}
	for _, j := range jobs {
		if err := sp.copyJob(nil, w, j, 0, false); err != nil {
			return err
		}
	}
	return nil
}

// stageDir returns the staging folder, creating it (and dir) if needed.
func (st *stager) stageDir() (string, error) {
	if st.stage == "" {
		if _, err := os.Stat(st.dir); errors.Is(err, fs.ErrNotExist) {
			st.created = true
		}
		if err := os.MkdirAll(st.dir, 0o755); err != nil {
			return "", err
		}
		stage, err := os.MkdirTemp(st.dir, stagingPrefix)
		if err != nil {
			return "", err
		}
		st.stage = stage
	}
	return st.stage, nil
}
