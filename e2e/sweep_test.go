package e2e

import (
	"context"
	"testing"

	"github.com/herdhq/herd/blueprints"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/providers"
)

// A cluster of which Temporal knows nothing (its history is gone) is
// terminated by sweeping every provider by labels: its containers and
// network go, and nothing is taken from another cluster.
func TestTerminateWithoutHistorySweeps(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	orphan, bystander := s.startBare(t, "orphan"), s.startBare(t, "bystander")
	sw, err := s.herd.Terminate(ctx, orphan, cluster.ReleaseInput{})
	if err != nil || sw.Containers != 2 || sw.Networks != 1 || len(sw.Providers) != 1 || sw.Providers[0] != "docker" {
		t.Fatalf("sweep: %+v %v", sw, err)
	}
	if left := s.leftovers(orphan); left != "" {
		t.Fatalf("the sweep left %s", left)
	}
	s.recordHistory(cluster.TerminateWorkflowID(orphan), "terminate-sweep.json")
	if names, _ := s.p.Containers(ctx, bystander); len(names) != 2 {
		t.Fatalf("the sweep touched another cluster: %v", names)
	}
}

// startBare starts two nodes of a cluster straight on the provider, with no
// workflow: what is left when a cluster's history has expired.
func (s *stack) startBare(t *testing.T, name string) string {
	spec, err := blueprints.NewSpec(name, cluster.DefaultBlueprint, 2)
	if err != nil {
		t.Fatal(err)
	}
	spec.Image = s.image
	dockertest.Release(t, s.p, name)
	ctx := context.Background()
	if err := s.p.SetUpHosts(ctx, spec.Target(), nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, n := range spec.Nodes() {
		cfg := contract.DefaultConfig()
		cfg.Role, cfg.NodeName, cfg.Dev = n.Role, n.FQDN, true
		if _, err := s.p.StartNode(ctx, providers.StartRequest{Target: spec.Target(), Node: n, Config: cfg}); err != nil {
			t.Fatal(err)
		}
	}
	return name
}
