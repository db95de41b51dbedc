package bench

import (
	"fmt"
	"sync"
	"time"
)

// Concurrently provisions n clusters of size nodes at once; Wall is until
// the last is ready.
func (s *Stack) Concurrently(image string, n, nodes int) (*Concurrent, error) {
	walls := make([]float64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	peak := 0.0
	done := make(chan struct{})
	go func() { // sample this process's memory while the clusters come up
		for {
			if rss := ProcessRSS(); rss > peak {
				peak = rss
			}
			select {
			case <-done:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			run, err := s.Provision(fmt.Sprintf("conc%d", i), image, nodes)
			walls[i], errs[i] = run.Wall, err
		}(i)
	}
	wg.Wait()
	close(done)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	per := Summarise(walls)
	return &Concurrent{Clusters: n, Nodes: nodes, Wall: per.Max, PerCluster: per, ProcessRSS: peak}, nil
}
