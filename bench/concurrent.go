package bench

import (
	"fmt"
	"sync"
)

// Concurrently provisions n clusters of size nodes at once on the worker
// process w; Wall is until the last is ready (only the wall is measured,
// so that measuring one does not slow the others). They are terminated once
// all are ready, so that no teardown weighs on the measure. The floor for
// all their containers at once is measured after.
func (s *Stack) Concurrently(w *WorkerProc, image string, n, nodes int) (*Concurrent, error) {
	walls := make([]float64, n)
	errs := make([]error, n)
	fp, _ := w.Measure(func() error {
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run, err := s.provisionKept(fmt.Sprintf("conc%d", i), image, nodes, false)
				walls[i], errs[i] = run.Wall, err
			}()
		}
		wg.Wait()
		return nil
	})
	for i := range n {
		s.Terminate(fmt.Sprintf("conc%d", i))
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	floor, err := s.Floor("concfloor", image, n*nodes)
	if err != nil {
		return nil, err
	}
	per := Summarise(walls)
	return &Concurrent{Clusters: n, Nodes: nodes, Wall: per.Max, PerCluster: per, Floor: floor.Wall,
		OverFloor: ratio(per.Max, floor.Wall), Worker: fp}, nil
}
