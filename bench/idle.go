package bench

import (
	"context"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"golang.org/x/sync/errgroup"

	"github.com/herdhq/herd/cluster"
)

// Idle is what a ready node costs while the cluster does nothing.
type Idle struct {
	Nodes   int     `json:"nodes"`
	Seconds float64 `json:"over_s"`
	CPUPct  Stat    `json:"cpu_pct_of_a_core"`
	RSSMiB  Stat    `json:"rss_mib"`
}

// IdleCost provisions a cluster, lets it settle, and measures each node's
// CPU (share of one core) and resident memory over a quiet interval.
func (s *Stack) IdleCost(name, image string, nodes int, over time.Duration) (*Idle, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	spec, err := Spec(name, image, nodes)
	if err != nil {
		return nil, err
	}
	if err := s.Herd.Create(ctx, spec); err != nil {
		return nil, err
	}
	defer func() { _, _ = s.Herd.Terminate(context.Background(), name, cluster.ReleaseInput{}) }()
	st, err := s.Herd.WaitProvisioned(ctx, name, nil)
	if err != nil {
		return nil, err
	}
	time.Sleep(35 * time.Second) // start-up work done
	before := s.containerStats(ctx, st)
	time.Sleep(over)
	after := s.containerStats(ctx, st)
	var cpu, rss []float64
	for id, b := range before {
		a, ok := after[id]
		if !ok {
			continue
		}
		used := float64(a.CPUStats.CPUUsage.TotalUsage - b.CPUStats.CPUUsage.TotalUsage)
		cpu = append(cpu, 100*used/float64(a.Read.Sub(b.Read).Nanoseconds())) // between the engine's two reads
		rss = append(rss, rssMiB(a))
	}
	return &Idle{Nodes: len(cpu), Seconds: over.Seconds(), CPUPct: Summarise(cpu), RSSMiB: Summarise(rss)}, nil
}

// containerStats reads one set of stats of each of the cluster's containers.
func (s *Stack) containerStats(ctx context.Context, st cluster.Status) map[string]container.StatsResponse {
	out := map[string]container.StatsResponse{}
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(statsAtOnce)
	for _, n := range st.Nodes {
		g.Go(func() error {
			if v, ok := s.oneStats(ctx, "herd-"+n.Name); ok {
				mu.Lock()
				out[n.Name] = v
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait() // a container without stats is left out
	return out
}

// statsAtOnce bounds the stats asked of the engine at once: one at a time
// took the engine about a second each, 100 s for a 100-node cluster.
const statsAtOnce = 10

func (s *Stack) oneStats(ctx context.Context, name string) (container.StatsResponse, bool) {
	var v container.StatsResponse
	r, err := s.Docker.Client.ContainerStatsOneShot(ctx, name)
	if err != nil {
		return v, false
	}
	defer r.Body.Close()
	return v, decodeJSON(r.Body, &v) == nil
}
