package bench

import (
	"fmt"
	"slices"
	"sync"
)

// Concurrently provisions n clusters of size nodes at once on the worker
// process w, and then measures the floor for all their containers at once,
// runs times; each run's ratio is its last cluster's wall over its floor.
// Only the wall is measured, so that measuring one cluster does not slow
// the others, and the clusters are terminated once all are ready, so that
// no teardown weighs on the measure.
func (s *Stack) Concurrently(w *WorkerProc, image string, n, nodes, runs int) (*Concurrent, error) {
	var done []concRun
	for r := range runs {
		clusters, fp, err := s.concurrentRun(w, image, n, nodes, r*n)
		if err != nil {
			return nil, err
		}
		floor, err := s.Floor(fmt.Sprintf("concfloor%d", r), image, n*nodes)
		if err != nil {
			return nil, err
		}
		done = append(done, concRun{clusters: clusters, floor: floor.Wall, worker: fp})
	}
	return summariseConcurrent(n, nodes, done), nil
}

// concRun is one run of clusters at once: each cluster's wall, the floor
// measured after them and the worker's footprint meanwhile.
type concRun struct {
	clusters []float64
	floor    float64
	worker   Footprint
}

// summariseConcurrent takes the median of the runs' walls, floors and
// ratios (each run's last cluster over its own floor), pools the clusters,
// and keeps the worker footprint that peaked highest.
func summariseConcurrent(n, nodes int, runs []concRun) *Concurrent {
	c := &Concurrent{Clusters: n, Nodes: nodes, Runs: len(runs)}
	var walls, floors, ratios, per []float64
	for _, r := range runs {
		last := slices.Max(r.clusters)
		walls, floors, ratios = append(walls, last), append(floors, r.floor), append(ratios, ratio(last, r.floor))
		per = append(per, r.clusters...)
		if r.worker.PeakRSSMiB >= c.Worker.PeakRSSMiB {
			c.Worker = r.worker
		}
	}
	c.WallRuns, c.FloorRuns, c.OverFloorRuns, c.PerCluster = Summarise(walls), Summarise(floors), Summarise(ratios), Summarise(per)
	return c
}

// concurrentRun provisions n clusters at once, named from conc<first>,
// and returns the wall of each and the worker's footprint meanwhile.
func (s *Stack) concurrentRun(w *WorkerProc, image string, n, nodes, first int) ([]float64, Footprint, error) {
	walls := make([]float64, n)
	errs := make([]error, n)
	name := func(i int) string { return fmt.Sprintf("conc%d", first+i) }
	fp, _ := w.Measure(func() error {
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run, err := s.provisionKept(name(i), image, nodes, false)
				walls[i], errs[i] = run.Wall, err
			}()
		}
		wg.Wait()
		return nil
	})
	for i := range n {
		s.Terminate(name(i))
	}
	for _, err := range errs {
		if err != nil {
			return nil, fp, err
		}
	}
	return walls, fp, nil
}
