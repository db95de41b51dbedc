package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/errdefs"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/providers/docker"
)

// TestSelfHealing runs a cluster's health on the real engine: a partition
// shorter than repair-after replaces nothing; a killed agent is replaced;
// in manual mode nothing is replaced until `herd cluster repair`; a killed
// server comes back with its Ambari state; the history is kept for replay.
func TestSelfHealing(t *testing.T) {
	s := start(t)
	spec := s.spec("sh", 3)
	spec.Repair.After = 2 * time.Minute
	spec.NodeEnv[contract.EnvHeartbeatTimeout], spec.NodeEnv[contract.EnvBeatInterval] = "4s", "1s"
	if st, err := s.provision(spec); err != nil || st.Health != cluster.Healthy {
		t.Fatalf("provision: %+v %v", st, err)
	}
	s.checkPartitionHeals("sh", "sh-2")
	s.policy("sh", cluster.RepairAuto, 10*time.Second)
	s.checkKilledIsReplaced("sh", "sh-3", 1)
	s.checkCutOffIsReplaced("sh", "sh-3", 2)
	s.policy("sh", cluster.RepairManual, 10*time.Second)
	s.checkManualRepair("sh", "sh-2", 3)
	s.policy("sh", cluster.RepairAuto, 10*time.Second)
	s.checkKilledIsReplaced("sh", "sh-1", 4)
	s.checkAmbariKeptItsCluster("sh")
	s.checkHealthMetrics("sh", 4)
	s.recordHistory(cluster.WorkflowID("sh"), "self-healing.json")
	if _, err := s.herd.Terminate(context.Background(), "sh", cluster.ReleaseInput{}); err != nil {
		t.Fatal(err)
	}
	if left := s.leftovers("sh"); left != "" {
		t.Fatalf("terminate left %s", left)
	}
}

func (s *stack) policy(name string, mode cluster.RepairMode, after time.Duration) {
	s.t.Helper()
	if _, err := s.herd.SetRepairPolicy(context.Background(), name, cluster.RepairPolicy{Mode: mode, After: after}); err != nil {
		s.t.Fatal(err)
	}
}

func (s *stack) containerID(node string) string {
	c, err := s.p.Client.ContainerInspect(context.Background(), docker.ContainerName(node))
	if err != nil {
		s.t.Fatal(err)
	}
	return c.ID
}

// checkPartitionHeals cuts a node off its network until Serf says it
// failed, then puts it back: it is alive again, nothing was replaced, and
// the health log tells what happened.
func (s *stack) checkPartitionHeals(name, node string) {
	ctx := context.Background()
	id, net := s.containerID(node), docker.NetworkName(name)
	c, _ := s.p.Client.ContainerInspect(ctx, id)
	ep := c.NetworkSettings.Networks[net]
	if err := s.p.Client.NetworkDisconnect(ctx, net, id, true); err != nil {
		s.t.Fatal(err)
	}
	s.waitStatus(name, node+" seen failed", time.Minute, func(st cluster.Status) bool { return nodeHealth(st, node) == cluster.NodeDown })
	settings := &network.EndpointSettings{Aliases: ep.Aliases, IPAMConfig: &network.EndpointIPAMConfig{IPv4Address: ep.IPAddress}}
	if err := s.p.Client.NetworkConnect(ctx, net, id, settings); err != nil {
		settings.IPAMConfig = nil // a network without a configured subnet takes no fixed address
		if err := s.p.Client.NetworkConnect(ctx, net, id, settings); err != nil {
			s.t.Fatal(err)
		}
	}
	st := s.waitStatus(name, node+" alive again", 2*time.Minute, func(st cluster.Status) bool { return nodeHealth(st, node) == cluster.NodeAlive })
	if st.Repairs != 0 || s.containerID(node) != id {
		s.t.Fatalf("a partition shorter than repair-after replaced %s: %d repairs", node, st.Repairs)
	}
	log := ""
	for _, e := range st.HealthLog {
		log += e.String() + "; "
	}
	if !strings.Contains(log, node+": alive -> failed") && !strings.Contains(log, node+": suspect -> failed") || !strings.Contains(log, "failed -> alive") {
		s.t.Fatalf("the health log must tell the partition: %s", log)
	}
	s.checkSize(name, 3)
}

// checkKilledIsReplaced kills a node's container: herd shows it failed,
// replaces it after repair-after, and every layer agrees on 3 nodes.
func (s *stack) checkKilledIsReplaced(name, node string, repairs int) {
	id := s.containerID(node)
	if err := s.p.Client.ContainerKill(context.Background(), id, "KILL"); err != nil {
		s.t.Fatal(err)
	}
	s.waitStatus(name, node+" seen failed", time.Minute, func(st cluster.Status) bool { return nodeHealth(st, node).Down() })
	st := s.waitStatus(name, node+" replaced", 10*time.Second+90*time.Second, func(st cluster.Status) bool {
		return st.Repairs == repairs && st.Health == cluster.Healthy && st.Phase == cluster.PhaseReady
	})
	if s.containerID(node) == id {
		s.t.Fatalf("%s was not replaced", node)
	}
	s.checkSize(name, 3)
	for host, state := range s.ambariHosts(st, name) {
		if state != "HEALTHY" {
			s.t.Fatalf("ambari host %s is %s after the repair", host, state)
		}
	}
}

// checkCutOffIsReplaced cuts a node off for longer than repair-after: it
// is replaced, and the stale container is gone (removed while cut off), so
// it never answers for the name; the name resolves to the replacement.
func (s *stack) checkCutOffIsReplaced(name, node string, repairs int) {
	ctx := context.Background()
	id := s.containerID(node)
	if err := s.p.Client.NetworkDisconnect(ctx, docker.NetworkName(name), id, true); err != nil {
		s.t.Fatal(err)
	}
	s.waitStatus(name, node+" replaced after being cut off", 2*time.Minute, func(st cluster.Status) bool {
		return st.Repairs == repairs && st.Health == cluster.Healthy && st.Phase == cluster.PhaseReady
	})
	if _, err := s.p.Client.ContainerInspect(ctx, id); !errdefs.IsNotFound(err) {
		s.t.Fatalf("the stale container of %s must be gone: %v", node, err)
	}
	s.checkSize(name, 3)
}

// checkFoundDegraded: the Temporal UI's filter finds the cluster by its
// health.
func (s *stack) checkFoundDegraded(name string) {
	q := fmt.Sprintf("%s = '%s' AND %s = '%s'", cluster.SAHealth, cluster.Degraded, cluster.SACluster, name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := poll.Until(ctx, 500*time.Millisecond, func(ctx context.Context) (bool, error) {
		resp, err := s.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q})
		return err == nil && len(resp.Executions) == 1, nil
	})
	if err != nil {
		s.t.Fatalf("no workflow found by %s", q)
	}
}

// checkHealthMetrics: the worker's metrics count failures and repairs.
func (s *stack) checkHealthMetrics(name string, repairs int) {
	body := s.metricsText()
	for _, want := range []string{
		fmt.Sprintf(`herd_repairs_total\{[^}]*cluster="%s"[^}]*ok="true"[^}]*\} %d\n`, name, repairs),
		fmt.Sprintf(`herd_node_failures_total\{[^}]*cluster="%s"[^}]*\} [1-9]`, name),
	} {
		if !regexp.MustCompile(want).MatchString(body) {
			s.t.Errorf("metrics lack %s", want)
		}
	}
}

// checkManualRepair: in manual mode a dead node stays dead (the cluster
// says degraded) until a person runs `herd cluster repair`.
func (s *stack) checkManualRepair(name, node string, repairs int) {
	if err := s.p.Client.ContainerKill(context.Background(), s.containerID(node), "KILL"); err != nil {
		s.t.Fatal(err)
	}
	s.waitStatus(name, node+" seen failed", time.Minute, func(st cluster.Status) bool { return nodeHealth(st, node).Down() })
	time.Sleep(15 * time.Second) // longer than repair-after
	st, _ := s.herd.Status(context.Background(), name)
	if st.Health != cluster.Degraded || st.Repairs != repairs-1 || !nodeHealth(st, node).Down() {
		s.t.Fatalf("manual mode must leave %s down and the cluster degraded: %+v", node, st)
	}
	s.checkFoundDegraded(name)
	if out, code := s.cli("cluster", "repair", name, "--wait"); code != 0 || !strings.Contains(out, "repair "+node+" done") {
		s.t.Fatalf("herd cluster repair exited %d:\n%s", code, out)
	}
	s.checkSize(name, 3)
}

// checkAmbariKeptItsCluster: after the server's replacement Ambari still
// has the blueprint, the cluster and every host.
func (s *stack) checkAmbariKeptItsCluster(name string) {
	st, err := s.herd.Status(context.Background(), name)
	if err != nil {
		s.t.Fatal(err)
	}
	creds := s.master.For(name)
	cl := ambariClient(st, creds)
	if _, err := cl.GetBlueprint(context.Background(), cluster.DefaultBlueprint); err != nil {
		s.t.Fatalf("the blueprint is gone: %v", err)
	}
	if hosts := s.ambariHosts(st, name); len(hosts) != 3 {
		s.t.Fatalf("ambari hosts after the server's replacement: %v", hosts)
	}
}

// TestLostTogetherAreOneRepair kills 5 of 30 nodes at once: herd notices
// them in one report or a few, and replaces all five in one repair.
func TestLostTogetherAreOneRepair(t *testing.T) {
	s := start(t)
	spec := s.spec("big", 30)
	spec.Repair.After, spec.QuorumTimeout = 15*time.Second, 3*time.Minute
	spec.NodeEnv[contract.EnvHeartbeatTimeout], spec.NodeEnv[contract.EnvBeatInterval] = "4s", "1s"
	if st, err := s.provision(spec); err != nil || len(st.Nodes) != 30 {
		t.Fatalf("provision: %v", err)
	}
	before := s.signals("big")
	victims := []string{"big-7", "big-13", "big-21", "big-26", "big-30"}
	var wg sync.WaitGroup
	for _, v := range victims {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			_ = s.p.Client.ContainerKill(context.Background(), id, "KILL")
		}(s.containerID(v))
	}
	wg.Wait()
	s.waitStatus("big", "all five seen down", 2*time.Minute, func(st cluster.Status) bool {
		down := 0
		for _, v := range victims {
			if nodeHealth(st, v).Down() {
				down++
			}
		}
		return down == len(victims)
	})
	// Ten changes (five lost heartbeats, five Serf failures) in a few
	// settled reports, fewer than the nodes lost.
	if n := s.signals("big") - before; n >= len(victims) {
		t.Fatalf("the storm took %d health reports", n)
	} else {
		t.Logf("the storm took %d health reports", n)
	}
	st := s.waitStatus("big", "five replaced", 3*time.Minute, func(st cluster.Status) bool {
		return st.Repairs >= 1 && st.Health == cluster.Healthy && st.Phase == cluster.PhaseReady
	})
	if st.Repairs != 1 || st.Operation != "repair "+strings.Join(victims, ", ") {
		t.Fatalf("want one repair of all five, got %d: %q", st.Repairs, st.Operation)
	}

	s.checkSize("big", 30)
}
