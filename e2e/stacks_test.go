package e2e

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/starter"
)

// TestStacksEndToEnd creates clusters with `herd cluster create --blueprint`
// on the stacks people run: the built-in HDP 2.6, HDP 3.1 and BIGTOP 3.3
// blueprints and real Cloudbreak HDP 2.6 and HDP 3.1 blueprints from the
// corpus. Each becomes
// ready, and its Ambari holds the cluster on that stack with the hosts and
// the components Ambari deploys itself.
func TestStacksEndToEnd(t *testing.T) {
	s := start(t)
	const corpus = "../blueprints/testdata/corpus/"
	for _, c := range []struct{ name, blueprint, stack, auto string }{
		{"hdp", "multi-node-hdp-2.6", "HDP-2.6", ""},
		{"hdp31", "multi-node-hdp-3.1", "HDP-3.1", ""},
		{"bigtop", "multi-node-bigtop-3.3", "BIGTOP-3.3.0", ""},
		{"cbreak", corpus + "cloudbreak--hdp26-data-science-spark2.json", "HDP-2.6", "YARN_CLIENT"},
		{"cbreak31", corpus + "cloudbreak--hdp31-data-science-spark2.json", "HDP-3.1", ""},
	} {
		// a run that failed before may have left its containers
		if _, err := s.p.Release(context.Background(), cluster.Target{Provider: "docker", Cluster: c.name}); err != nil {
			t.Fatal(err)
		}
		dockertest.Release(t, s.p, c.name)
		out, code := s.cli("cluster", "create", c.name, "--blueprint", c.blueprint, "--nodes", "3", "--wait",
			"--image", s.image, "--domain", "herd.test", "--emulator-task-duration", "50ms")
		if code != 0 {
			t.Fatalf("create %s with %s exited %d:\n%s", c.name, c.blueprint, code, out)
		}
		s.checkSize(c.name, 3)
		amb := s.ambariOf(c.name)
		info, err := amb.Cluster(context.Background(), c.name)
		if err != nil || info.Clusters.Version != c.stack {
			t.Fatalf("%s: Ambari's cluster %+v (%v), want version %s", c.name, info, err, c.stack)
		}
		if c.auto != "" {
			bp, err := amb.GetBlueprint(context.Background(), "cloudbreak--hdp26-data-science-spark2")
			worker, _ := bp.Group("worker")
			if err != nil || !hasComponent(ambari.Blueprint{HostGroups: []ambari.HostGroup{worker}}, c.auto) {
				t.Fatalf("%s: Ambari deploys %s itself on the workers (a host dependency of the Spark 2 client): %v", c.name, c.auto, err)
			}
		}
		if rel, err := s.herd.Terminate(context.Background(), c.name, cluster.ReleaseInput{}); err != nil || rel.Containers != 3 {
			t.Fatalf("terminate %s: %+v %v", c.name, rel, err)
		}
	}
}

// ambariOf logs in to a cluster's Ambari with what `herd cluster
// credentials` prints.
func (s *stack) ambariOf(name string) *ambari.Client {
	s.t.Helper()
	out, code := s.cli("cluster", "credentials", name, "-o", "json")
	var cr starter.Credentials
	if err := json.Unmarshal([]byte(out), &cr); code != 0 || err != nil {
		s.t.Fatalf("credentials (exit %d): %v\n%s", code, err, out)
	}
	return ambari.NewClient(cr.AmbariURL, cr.AmbariUser, cr.AmbariPassword)
}

func hasComponent(bp ambari.Blueprint, name string) bool {
	for _, g := range bp.HostGroups {
		for _, c := range g.Components {
			if c.Name == name {
				return true
			}
		}
	}
	return false
}
