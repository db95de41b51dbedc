package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/providers/docker"
)

// Repair is the time from killing a node to a healthy cluster again.
type Repair struct {
	Runs        int     `json:"runs"`
	RepairAfter float64 `json:"repair_after_s"`
	Noticed     Stat    `json:"kill_to_failed_s"`  // the node shown failed
	Healthy     Stat    `json:"kill_to_healthy_s"` // replaced, the cluster healthy
}

// MeasureRepair provisions a 3-node cluster with repair after repairAfter
// and, runs times, kills an agent's container and times how long herd takes
// to show it failed and to be healthy again.
func (s *Stack) MeasureRepair(image string, runs int, repairAfter time.Duration) (*Repair, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	spec, err := Spec("benchheal", image, 3)
	if err != nil {
		return nil, err
	}
	spec.Repair = cluster.RepairPolicy{Mode: cluster.RepairAuto, After: repairAfter}
	spec.NodeEnv[contract.EnvHeartbeatTimeout], spec.NodeEnv[contract.EnvBeatInterval] = "4s", "1s"
	if err := s.Herd.Create(ctx, spec); err != nil {
		return nil, err
	}
	defer func() { _, _ = s.Herd.Terminate(context.Background(), spec.Name, cluster.ReleaseInput{}) }()
	if _, err := s.Herd.WaitProvisioned(ctx, spec.Name, nil); err != nil {
		return nil, err
	}
	var noticed, healthy []float64
	for i := 1; i <= runs; i++ {
		n, h, err := s.killAndWait(ctx, spec.Name, cluster.NodeName(spec.Name, 3), i)
		if err != nil {
			return nil, err
		}
		noticed, healthy = append(noticed, n), append(healthy, h)
	}
	return &Repair{Runs: runs, RepairAfter: repairAfter.Seconds(), Noticed: Summarise(noticed), Healthy: Summarise(healthy)}, nil
}

func (s *Stack) killAndWait(ctx context.Context, name, node string, repairs int) (float64, float64, error) {
	start := time.Now()
	if err := s.Docker.Client.ContainerKill(ctx, docker.ContainerName(node), "KILL"); err != nil {
		return 0, 0, fmt.Errorf("kill %s: %w", node, err)
	}
	var noticed float64
	err := poll.Until(ctx, 100*time.Millisecond, func(ctx context.Context) (bool, error) {
		st, err := s.Herd.Status(ctx, name)
		if err != nil {
			return false, nil
		}
		for _, n := range st.Nodes {
			if n.Name == node && n.Health.Down() && noticed == 0 {
				noticed = time.Since(start).Seconds()
			}
		}
		return st.Repairs == repairs && st.Health == cluster.Healthy && st.Phase == cluster.PhaseReady, nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("repair of %s: %w", node, err)
	}
	return noticed, time.Since(start).Seconds(), nil
}
