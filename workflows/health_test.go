package workflows

import (
	"context"
	"errors"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
)

// observation says the given nodes of c1 are in the given Serf state and
// every other one alive.
func observation(serf string, down ...string) cluster.Observation {
	obs := cluster.Observation{Reachable: true}
	for _, n := range testSpec().Nodes() {
		m := cluster.MemberObs{Name: n.FQDN, Serf: "alive", Ambari: "HEALTHY"}
		for _, d := range down {
			if d == n.Name {
				m.Serf, m.Ambari = serf, "HEARTBEAT_LOST"
			}
		}
		obs.Members = append(obs.Members, m)
	}
	return obs
}

func (s *clusterSuite) signalAt(at time.Duration, obs cluster.Observation) {
	s.env.RegisterDelayedCallback(func() { s.env.SignalWorkflow(cluster.SignalHealth, obs) }, at)
}

func (s *clusterSuite) statusAt(at time.Duration, into *cluster.Status) {
	s.env.RegisterDelayedCallback(func() { *into = s.status() }, at)
}

// repairMocks expect one repair of the named agents: they leave Ambari and
// the provider and come back with the same names.
func (s *clusterSuite) repairMocks(agents ...string) {
	s.env.OnActivity(a.RemoveAmbariHosts, mock.Anything, mock.MatchedBy(func(in activities.HostsInput) bool {
		return s.Equal(agents, names(in.Nodes))
	})).Return(nil).Once()
	s.env.OnActivity(a.RemoveNodes, mock.Anything, mock.MatchedBy(func(in activities.NodesInput) bool {
		return s.Equal(agents, names(in.Nodes))
	})).Return(cluster.Released{Containers: len(agents)}, nil).Once()
	s.env.OnActivity(a.AddAmbariHosts, mock.Anything, mock.Anything).Return(int64(2), nil).Once()
}

func (s *clusterSuite) TestAutoRepairReplacesALostAgentAfterRepairAfter() {
	s.provisionMocks()
	s.repairMocks("c1-3")
	var before, during, after cluster.Status
	s.signalAt(time.Minute, observation("failed", "c1-3"))
	s.statusAt(time.Minute+20*time.Second, &before) // repair-after is 30 s: not yet
	s.statusAt(time.Minute+10*time.Second, &during)
	s.statusAt(5*time.Minute, &after)
	s.terminateAt(6 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal(cluster.Degraded, during.Health)
	s.Equal(cluster.NodeDown, during.Nodes[2].Health)
	s.Contains(during.Down(), "c1-3 failed since")
	s.Equal(0, before.Repairs, "nothing is replaced before repair-after")
	s.Equal(cluster.Healthy, after.Health)
	s.Equal(1, after.Repairs)
	s.Equal(1, after.Failures)
	s.Equal(cluster.NodeAlive, after.Nodes[2].Health)
	s.Equal("repair c1-3", after.Operation)
	s.Len(after.Nodes, 3)
	s.checkAlerts(after, "c1-3", cluster.AlertNodeFailed, cluster.AlertNodeRepaired)
}

// checkAlerts: the status lists the alerts, and each was delivered once,
// in order, about node.
func (s *clusterSuite) checkAlerts(st cluster.Status, node string, kinds ...cluster.AlertKind) {
	s.T().Helper()
	s.Require().Len(st.Alerts, len(kinds), "alerts in the status: %+v", st.Alerts)
	s.Require().Len(s.delivered, len(kinds), "alerts delivered: %+v", s.delivered)
	for i, k := range kinds {
		s.Equal(k, st.Alerts[i].Kind)
		s.Equal(node, st.Alerts[i].Node)
		s.Equal(st.Alerts[i], s.delivered[i])
	}
}

func (s *clusterSuite) TestABlipReplacesNothing() {
	s.provisionMocks()
	var after cluster.Status
	s.signalAt(time.Minute, observation("failed", "c1-2"))
	s.signalAt(time.Minute+10*time.Second, observation("alive"))
	s.statusAt(5*time.Minute, &after)
	s.terminateAt(6 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	// RemoveNodes and AddAmbariHosts have no mocks: a repair would have failed the test.
	s.Equal(cluster.Healthy, after.Health)
	s.Equal(0, after.Repairs)
	s.checkAlerts(after, "c1-2", cluster.AlertNodeFailed, cluster.AlertNodeRecovered)
	s.Require().Len(after.HealthLog, 2)
	s.Equal(cluster.NodeDown, after.HealthLog[0].To)
	s.Equal(cluster.NodeAlive, after.HealthLog[1].To)
}

func (s *clusterSuite) TestManualModeWaitsForTheRepairCommand() {
	s.provisionMocks()
	s.repairMocks("c1-2")
	spec := testSpec()
	spec.Repair = cluster.RepairPolicy{Mode: cluster.RepairManual}
	var waiting cluster.Status
	repaired := &outcome{}
	s.signalAt(time.Minute, observation("failed", "c1-2"))
	s.statusAt(10*time.Minute, &waiting)
	s.update(11*time.Minute, cluster.UpdateRepair, repaired, cluster.RepairRequest{})
	s.terminateAt(20 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: spec})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal(cluster.Degraded, waiting.Health)
	s.Equal(0, waiting.Repairs)
	s.Require().NoError(repaired.err)
	s.Equal("repair c1-2", repaired.result.Operation)
}

func (s *clusterSuite) TestRepairIsRefusedWhenItMakesNoSense() {
	s.provisionMocks()
	healthy, unknown, policy := &outcome{}, &outcome{}, &outcome{}
	s.update(time.Minute, cluster.UpdateRepair, healthy, cluster.RepairRequest{})
	s.update(time.Minute+time.Second, cluster.UpdateRepair, unknown, cluster.RepairRequest{Nodes: []string{"c1-9"}})
	s.update(time.Minute+2*time.Second, cluster.UpdatePolicy, policy, cluster.RepairPolicy{Mode: "often"})
	s.terminateAt(2 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.ErrorContains(healthy.rejected, "every node of cluster c1 is alive: nothing to repair")
	s.ErrorContains(unknown.rejected, "cluster c1 has no node c1-9 (it has: c1-1, c1-2, c1-3)")
	s.ErrorContains(policy.rejected, `repair mode "often": use auto or manual`)
}

func (s *clusterSuite) TestPolicyChangeTakesEffect() {
	s.provisionMocks()
	set := &outcome{}
	var after cluster.Status
	s.update(30*time.Second, cluster.UpdatePolicy, set, cluster.RepairPolicy{Mode: cluster.RepairManual, After: time.Minute})
	s.signalAt(time.Minute, observation("failed", "c1-3"))
	s.statusAt(10*time.Minute, &after)
	s.terminateAt(11 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Require().NoError(set.err)
	s.Equal(cluster.RepairPolicy{Mode: cluster.RepairManual, After: time.Minute}, after.Repair)
	s.Equal(0, after.Repairs, "manual: nothing replaced")
	s.Equal(cluster.Degraded, after.Health)
}

// The server lost: it is started again joining an alive agent, and no
// Ambari call is made while Ambari is down.
func (s *clusterSuite) TestLostServerRejoinsThroughAnAgent() {
	s.env.OnActivity(a.RemoveNodes, mock.Anything, mock.MatchedBy(func(in activities.NodesInput) bool {
		return s.Equal([]string{"c1-1"}, names(in.Nodes))
	})).Return(cluster.Released{Containers: 1}, nil).Once()
	var joined string
	s.env.OnActivity(a.StartServerContainer, mock.Anything, mock.MatchedBy(func(in activities.StartNodeInput) bool {
		joined = in.JoinIP
		return in.JoinIP != ""
	})).Return(cluster.NodeInfo{Node: testSpec().Nodes()[0], IP: "172.20.0.9", AmbariURL: "http://127.0.0.1:3", SerfRPC: "127.0.0.1:4"}, nil).Once()
	s.provisionMocks()
	s.env.OnActivity(a.AddAmbariHosts, mock.Anything, mock.Anything).Return(int64(1), nil).Once()
	var after cluster.Status
	s.signalAt(time.Minute, cluster.Observation{Reachable: false, Error: "serf rpc: connection refused"})
	s.statusAt(5*time.Minute, &after)
	s.terminateAt(6 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal("172.20.0.3", joined, "the server joins an alive agent")
	s.Equal(1, after.Repairs)
	s.Equal("127.0.0.1:4", after.SerfRPC, "herd follows the server to its new address")
	s.Equal(cluster.Healthy, after.Health)
}

// Nodes lost together are one repair.
func (s *clusterSuite) TestNodesLostTogetherAreOneRepair() {
	s.provisionMocks()
	spec := testSpec()
	spec.HostGroups[1].Count = 5
	s.repairMocks("c1-3", "c1-5")
	obs := cluster.Observation{Reachable: true}
	for _, n := range spec.Nodes() {
		m := cluster.MemberObs{Name: n.FQDN, Serf: "alive", Ambari: "HEALTHY"}
		if n.Name == "c1-3" || n.Name == "c1-5" {
			m.Serf = "failed"
		}
		obs.Members = append(obs.Members, m)
	}
	var after cluster.Status
	s.signalAt(time.Minute, obs)
	s.statusAt(5*time.Minute, &after)
	s.terminateAt(6 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: spec})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal(1, after.Repairs)
	s.Equal("repair c1-3, c1-5", after.Operation)
}

// A worker dying while the replacement starts: the activity times out and
// runs again (the provider adopts what the first try made); the repair
// goes on and no second replacement is made.
func (s *clusterSuite) TestAWorkerDyingMidRepairResumesIt() {
	s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.MatchedBy(func(in activities.StartNodeInput) bool {
		return in.Node.Name == "c1-3" && s.repairing
	})).Return(cluster.NodeInfo{}, errors.New("the worker running this activity died")).Once()
	s.provisionMocks()
	s.repairMocks("c1-3")
	var after cluster.Status
	s.signalAt(time.Minute, observation("failed", "c1-3"))
	s.env.RegisterDelayedCallback(func() { s.repairing = true }, time.Minute+time.Second)
	s.statusAt(10*time.Minute, &after)
	s.terminateAt(11 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal(1, after.Repairs)
	s.Len(after.Nodes, 3)
	s.Equal(cluster.Healthy, after.Health)
	// repairMocks' Once() expectations fail the test on a second repair.
}

// Provisioning with --min-nodes goes on when an agent never starts: the
// cluster is created degraded on the nodes that came up, and auto repair
// adds the missing one.
func (s *clusterSuite) TestMinNodesCreatesADegradedClusterThenRepairs() {
	spec := testSpec()
	spec.MinNodes = 2
	s.env.OnActivity(a.StartAgentContainer, mock.Anything, mock.MatchedBy(func(in activities.StartNodeInput) bool {
		return in.Node.Name == "c1-3" && !s.repairing
	})).Return(cluster.NodeInfo{}, temporal.NewNonRetryableApplicationError("no capacity", "Capacity", nil)).Once()
	s.env.OnActivity(a.RemoveNodes, mock.Anything, mock.MatchedBy(func(in activities.NodesInput) bool {
		return s.Equal([]string{"c1-3"}, names(in.Nodes))
	})).Return(cluster.Released{}, nil).Twice() // let go at provisioning, then before the repair
	s.env.OnActivity(a.RemoveAmbariHosts, mock.Anything, mock.Anything).Return(nil).Once()
	s.env.OnActivity(a.AddAmbariHosts, mock.Anything, mock.Anything).Return(int64(2), nil).Once()
	var created []string
	s.env.OnActivity(a.SubmitBlueprint, mock.Anything, mock.MatchedBy(func(in activities.BlueprintInput) bool {
		created = names(in.Nodes)
		return true
	})).Return(int64(1), nil).Once()
	s.provisionMocks()
	var degraded, after cluster.Status
	s.env.RegisterDelayedCallback(func() { s.repairing = true }, 5*time.Second)
	s.statusAt(10*time.Second, &degraded)
	s.statusAt(5*time.Minute, &after)
	s.terminateAt(6 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: spec})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal([]string{"c1-1", "c1-2"}, created)
	s.Equal(cluster.PhaseReady, degraded.Phase)
	s.Equal(cluster.Degraded, degraded.Health)
	s.Equal(cluster.Healthy, after.Health)
	s.Equal(1, after.Repairs)
}

func (s *clusterSuite) TestContinueAsNewCarriesHealthAndPolicy() {
	s.provisionMocks()
	s.env.OnActivity(a.AddAmbariHosts, mock.Anything, mock.Anything).Return(int64(2), nil).Once()
	spec := testSpec()
	spec.Repair = cluster.RepairPolicy{Mode: cluster.RepairManual, After: time.Minute}
	s.signalAt(30*time.Second, observation("failed", "c1-2"))
	s.update(time.Minute, cluster.UpdateScale, &outcome{}, cluster.ScaleRequest{HostGroup: "slaves", Count: 3})
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: spec, ContinueAfterOps: 1})
	next := s.continued()
	s.Equal(cluster.RepairManual, next.State.Status.Repair.Mode)
	s.Equal(cluster.Degraded, next.State.Status.Health)
	s.Equal(cluster.NodeDown, next.State.Status.Nodes[1].Health)
	s.NotEmpty(next.State.Status.HealthLog)
}

// A spot node that tells its interruption notice is replaced at once (it
// has two minutes, repair-after is for blips), on an on-demand instance,
// and stays on-demand.
func (s *clusterSuite) TestAnInterruptedSpotNodeIsReplacedAtOnceOnDemand() {
	var allocated []cluster.Node
	s.env.OnActivity(a.AllocateInstances, mock.Anything, mock.MatchedBy(func(in activities.NodesInput) bool {
		return len(in.Nodes) == 1 && in.Nodes[0].OnDemand
	})).Return(func(ctx context.Context, in activities.NodesInput) ([]cluster.Instance, error) {
		allocated = in.Nodes
		return instancesFor(ctx, in)
	}).Once()
	s.provisionMocks()
	s.repairMocks("c1-3")
	obs := observation("alive")
	obs.Members[2].Interruption = "terminate 2026-12-01T21:30:00Z"
	var after cluster.Status
	s.signalAt(time.Minute, obs)
	s.statusAt(time.Minute+10*time.Second, &after)
	s.terminateAt(6 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Require().NotEmpty(after.HealthLog)
	s.Equal(cluster.HealthEvent{At: after.HealthLog[0].At, Node: "c1-3", From: cluster.NodeAlive, To: cluster.NodeInterrupted}, after.HealthLog[0])
	s.Equal(1, after.Repairs, "replaced well before repair-after (30 s)")
	s.Equal([]string{"c1-3"}, names(allocated), "the replacement is allocated on-demand")
	s.True(after.Nodes[2].OnDemand)
	s.False(after.Nodes[1].OnDemand)
	s.Equal(cluster.NodeAlive, after.Nodes[2].Health)
}

// Ambari losing a host's heartbeat while Serf sees it is a warning, not a
// failure: nothing is repaired.
func (s *clusterSuite) TestALostHeartbeatIsAWarning() {
	s.provisionMocks()
	lost := observation("alive")
	lost.Members[1].Ambari = "HEARTBEAT_LOST"
	var after cluster.Status
	s.signalAt(time.Minute, lost)
	s.statusAt(3*time.Minute, &after)
	s.terminateAt(4 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.checkAlerts(after, "c1-2", cluster.AlertHeartbeatLost)
	s.Equal(cluster.SeverityWarning, after.Alerts[0].Severity)
	s.Contains(after.Alerts[0].Text, "Ambari lost the heartbeat of c1-2")
}

// A node's disk past the threshold is a warning with the figure; back
// under, an OK.
func (s *clusterSuite) TestDiskPastTheThresholdIsAnAlert() {
	s.provisionMocks()
	full := observation("alive")
	full.Members[2].DiskFull = "/ 93%"
	var during, after cluster.Status
	s.signalAt(time.Minute, full)
	s.statusAt(2*time.Minute, &during)
	s.signalAt(3*time.Minute, observation("alive"))
	s.statusAt(4*time.Minute, &after)
	s.terminateAt(5 * time.Minute)
	s.env.ExecuteWorkflow(ClusterWorkflow, cluster.ClusterInput{Spec: testSpec()})
	s.Require().NoError(s.env.GetWorkflowError())
	s.Equal("/ 93%", during.Nodes[2].DiskFull)
	s.checkAlerts(after, "c1-3", cluster.AlertDiskUsage, cluster.AlertDiskUsage)
	s.Equal("node c1-3: / 93% full (alert at 90%)", after.Alerts[0].Text)
	s.Equal(cluster.SeverityWarning, after.Alerts[0].Severity)
	s.Equal(cluster.SeverityOK, after.Alerts[1].Severity)
	s.Empty(after.Nodes[2].DiskFull)
}
