package validation

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"cmsim/experiment"
	"cmsim/model"
	"cmsim/results"
	"cmsim/scenarios"
)

// replica is what the table needs of one run: its metrics and its sorted
// latencies (kept only when asked for).
type replica struct {
	Metrics   results.Metrics
	Latencies []float64
	Load      []results.LoadRow
}

// runScenario loads a scenario as the CLI does (the YAML text, then --set
// overrides), and runs its replications on independent seeds exactly as
// 'cmsim run' would (experiment.NewPlan derives the seeds). The result does
// not depend on workers.
func runScenario(ctx context.Context, name, yaml string, sets []string, keepLatencies bool, workers int) ([]replica, error) {
	s, err := scenarios.Load(name, []byte(yaml), sets)
	if err != nil {
		return nil, err
	}
	plan, err := experiment.NewPlan(s)
	if err != nil {
		return nil, err
	}
	if len(plan.Points) != 1 {
		return nil, fmt.Errorf("%s: %d points, want 1", name, len(plan.Points))
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	out := make([]replica, len(plan.Jobs))
	errs := make([]error, len(plan.Jobs))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, job := range plan.Jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			cfg, err := plan.Points[job.Point].Scenario.ModelConfig(job.Seed)
			if err != nil {
				errs[i] = err
				return
			}
			c, err := model.New(cfg)
			if err != nil {
				errs[i] = err
				return
			}
			r, err := c.Run()
			if err != nil {
				errs[i] = err
				return
			}
			out[i].Metrics = r.Metrics
			out[i].Load = r.LoadRows(0, i)
			if keepLatencies {
				out[i].Latencies = r.Latencies
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s replication %d: %w", name, i, err)
		}
	}
	return out, nil
}

// across applies f to each replica and estimates the mean of the results.
func across(reps []replica, f func(replica) float64) Estimate {
	xs := make([]float64, len(reps))
	for i, r := range reps {
		xs[i] = f(r)
	}
	return estimate(xs)
}
