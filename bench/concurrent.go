package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/herdhq/herd/internal/poll"
)

// Concurrently provisions n clusters of size nodes at once; Wall is until
// the last is ready.
func (s *Stack) Concurrently(image string, n, nodes int) (*Concurrent, error) {
	walls := make([]float64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	peak := 0.0
	ctx, done := context.WithCancel(context.Background())
	sampled := make(chan struct{})
	go func() { // sample this process's memory while the clusters come up
		defer close(sampled)
		_ = poll.Until(ctx, 200*time.Millisecond, func(context.Context) (bool, error) {
			peak = max(peak, ProcessRSS())
			return false, nil
		})
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
	done()
	<-sampled
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	per := Summarise(walls)
	return &Concurrent{Clusters: n, Nodes: nodes, Wall: per.Max, PerCluster: per, ProcessRSS: peak}, nil
}
