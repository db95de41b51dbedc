package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/inproc"
	"github.com/herdhq/herd/providers"
)

// waitStatus follows a cluster until done says so of its status.
func (s *stack) waitStatus(name, what string, timeout time.Duration, done func(cluster.Status) bool) cluster.Status {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	st, err := s.herd.Watch(ctx, name, done, nil)
	if err != nil || !done(st) {
		s.t.Fatalf("%s: %v\n%+v", what, err, st)
	}
	return st
}

func nodeHealth(st cluster.Status, name string) cluster.NodeHealth {
	for _, n := range st.Nodes {
		if n.Name == name {
			return n.Health
		}
	}
	return ""
}

// TestHealingInProcess runs self-healing on the real Temporal server with
// nodes in this process (no Docker): a killed agent, then a killed server,
// are noticed and replaced, and Ambari keeps its cluster.
func TestHealingInProcess(t *testing.T) {
	s := startServer(t)
	p := inproc.New(t.TempDir())
	s.startWorker(providers.Registry{"inproc": p})
	spec := s.spec("heal", 3)
	spec.Provider, spec.Image, spec.Repair.After = "inproc", "inproc", 3*time.Second
	spec.NodeEnv[contract.EnvHeartbeatTimeout], spec.NodeEnv[contract.EnvBeatInterval] = "3s", "500ms"
	t.Cleanup(func() { _, _ = p.Release(context.Background(), spec.Target()) })
	if st, err := s.provision(spec); err != nil || st.Health != cluster.Healthy {
		t.Fatalf("provision: %+v %v", st, err)
	}
	for i, victim := range []string{"heal-3", "heal-1"} {
		p.Kill(victim)
		s.waitStatus("heal", victim+" seen down", time.Minute, func(st cluster.Status) bool { return nodeHealth(st, victim).Down() })
		st := s.waitStatus("heal", victim+" replaced", 2*time.Minute, func(st cluster.Status) bool {
			return st.Repairs == i+1 && st.Health == cluster.Healthy && st.Phase == cluster.PhaseReady
		})
		if p.Running("heal") != 3 || st.Operation != "repair "+victim {
			t.Fatalf("after repairing %s: %d running, %+v", victim, p.Running("heal"), st)
		}
	}
	st, _ := s.herd.Status(context.Background(), "heal")
	hosts := s.ambariHosts(st, "heal")
	if fmt.Sprint(hosts) != "map[heal-1.herd.test:HEALTHY heal-2.herd.test:HEALTHY heal-3.herd.test:HEALTHY]" {
		t.Fatalf("the new server's Ambari must keep the cluster and see every host: %v", hosts)
	}
}
