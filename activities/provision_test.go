package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
)

func TestActivitiesProvision(t *testing.T) {
	both(t, func(t *testing.T, b backend) {
		f := newFixture(t, b, "acttest", map[string]string{contract.EnvTaskDuration: "0s"})
		nodes := f.startCluster()
		// A retried start adopts the node instead of making another.
		var again cluster.NodeInfo
		f.must(&again, f.acts.StartAgentContainer, f.startInput(nodes[1].Node, cluster.Instance{}, nodes[0].IP))
		if again.ContainerID != nodes[1].ContainerID || len(f.nodes()) != 3 {
			t.Fatalf("retry must adopt %s, got %s; nodes %v", nodes[1].ContainerID, again.ContainerID, f.nodes())
		}
		// So does a batch of them (large clusters start agents in batches).
		var batch []activities.AgentStarted
		bin := activities.StartAgentsInput{Target: f.spec.Target(), Nodes: []cluster.Node{nodes[1].Node, nodes[2].Node}, JoinIP: nodes[0].IP, NodeEnv: f.spec.NodeEnv}
		f.must(&batch, f.acts.StartAgentContainers, bin)
		if len(batch) != 2 || batch[0].Info.ContainerID != nodes[1].ContainerID || batch[1].Info.ContainerID != nodes[2].ContainerID || len(f.nodes()) != 3 {
			t.Fatalf("a retried batch must adopt its agents: %+v; nodes %v", batch, f.nodes())
		}
		bin.JoinIP = ""
		nonRetryable(t, f.run(nil, f.acts.StartAgentContainers, bin), "BadInput")
		var q activities.QuorumResult
		f.must(&q, f.acts.WaitForSerfQuorum, activities.QuorumInput{Cluster: f.spec.Name, RPCAddr: nodes[0].SerfRPC, Nodes: f.spec.Nodes()})
		if q.Alive != 3 {
			t.Fatalf("quorum: %+v", q)
		}
		in := activities.BlueprintInput{Spec: f.spec, AmbariURL: nodes[0].AmbariURL, Nodes: f.spec.Nodes()}
		var id, id2 int64
		f.must(&id, f.acts.SubmitBlueprint, in)
		f.must(&id2, f.acts.SubmitBlueprint, in) // retry after success continues
		if id == 0 || id2 != id {
			t.Fatalf("request ids %d then %d", id, id2)
		}
		var outcome activities.RequestOutcome
		f.must(&outcome, f.acts.PollAmbariRequest, activities.PollInput{Cluster: f.spec.Name, AmbariURL: nodes[0].AmbariURL, RequestID: id})
		if outcome.Status != "COMPLETED" || outcome.ProgressPercent != 100 {
			t.Fatalf("outcome %+v", outcome)
		}
		f.checkConfigIsIdempotent(nodes[0].AmbariURL)
		f.checkScaleDownDecommissions(nodes[0].AmbariURL, nodes[2].Node)
		release := cluster.ReleaseInput{Cluster: f.spec.Name, Provider: f.spec.Provider}
		var rel cluster.Released
		f.must(&rel, f.acts.ReleaseCluster, release)
		if rel.Containers != 3 || len(f.nodes()) != 0 {
			t.Fatalf("release: %+v, left %v", rel, f.nodes())
		}
		f.must(&rel, f.acts.ReleaseCluster, release)
		if rel.Containers != 0 || rel.Networks != 0 {
			t.Fatalf("second release must find nothing: %+v", rel)
		}
	})
}

// An early submission creates the cluster before its agents exist; the
// poll waits for them to register and follows the request to its end.
func TestEarlySubmitInstallsHostsAsTheyRegister(t *testing.T) {
	both(t, func(t *testing.T, b backend) {
		f := newFixture(t, b, "actearly", map[string]string{contract.EnvTaskDuration: "0s"})
		nodes, inst := f.startServer()
		var id int64
		in := activities.BlueprintInput{Spec: f.spec, AmbariURL: nodes[0].AmbariURL, Nodes: f.spec.Nodes(), Early: true}
		f.must(&id, f.acts.SubmitBlueprint, in)
		s := f.acts.Master.For(f.spec.Name)
		cl := ambari.NewClient(nodes[0].AmbariURL, s.AmbariUser, s.AmbariPassword)
		if hosts, err := cl.ClusterHosts(context.Background(), f.spec.Name); err != nil || len(hosts) > 1 {
			t.Fatalf("the cluster exists before its agents do (the server's own may have joined): %v %v", hosts, err)
		}
		for i, n := range f.spec.Nodes()[1:] {
			f.must(nil, f.acts.StartAgentContainer, f.startInput(n, inst[i+1], nodes[0].IP))
		}
		var outcome activities.RequestOutcome
		f.must(&outcome, f.acts.PollAmbariRequest, activities.PollInput{Cluster: f.spec.Name, AmbariURL: nodes[0].AmbariURL, RequestID: id, Nodes: f.spec.Nodes()})
		if outcome.Status != "COMPLETED" || outcome.Tasks == 0 {
			t.Fatalf("outcome %+v", outcome)
		}
	})
}

func TestFailedInstallNamesTasksAndHosts(t *testing.T) {
	both(t, func(t *testing.T, b backend) {
		f := newFixture(t, b, "actfail", map[string]string{contract.EnvTaskDuration: "0s", contract.EnvFailHosts: "actfail-3.herd.test"})
		nodes := f.startCluster()
		var id int64
		f.must(&id, f.acts.SubmitBlueprint, activities.BlueprintInput{Spec: f.spec, AmbariURL: nodes[0].AmbariURL, Nodes: f.spec.Nodes()})
		err := f.run(nil, f.acts.PollAmbariRequest, activities.PollInput{Cluster: f.spec.Name, AmbariURL: nodes[0].AmbariURL, RequestID: id})
		nonRetryable(t, err, activities.ErrAmbariRequestFailed)
		if !strings.Contains(err.Error(), "ended FAILED") || !strings.Contains(err.Error(), "on actfail-3.herd.test") {
			t.Fatalf("error must name the failed tasks and host: %v", err)
		}
	})
}

func TestQuorumTimeoutNamesMissingNodes(t *testing.T) {
	both(t, func(t *testing.T, b backend) {
		f := newFixture(t, b, "actquorum", nil)
		nodes := f.startCluster()
		in := activities.QuorumInput{Cluster: f.spec.Name, RPCAddr: nodes[0].SerfRPC, Nodes: f.spec.Nodes(), Timeout: 30 * time.Second}
		f.must(nil, f.acts.WaitForSerfQuorum, in) // positive control: all three join
		f.stop(nodes[2])
		in.Timeout = 8 * time.Second
		err := f.run(nil, f.acts.WaitForSerfQuorum, in)
		nonRetryable(t, err, activities.ErrQuorumTimeout)
		if !strings.Contains(err.Error(), "missing actquorum-3.herd.test") || !strings.Contains(err.Error(), "2/3 alive") {
			t.Fatalf("error must name the missing node: %v", err)
		}
	})
}

// checkScaleDownDecommissions removes a slave from Ambari as scale-down
// does, twice (a retry): its DataNode and NodeManager are decommissioned
// once each through their masters, then the host leaves the cluster.
func (f *fixture) checkScaleDownDecommissions(ambariURL string, n cluster.Node) {
	f.t.Helper()
	in := activities.HostsInput{Cluster: f.spec.Name, Blueprint: f.spec.BlueprintName, AmbariURL: ambariURL, Nodes: []cluster.Node{n}}
	f.must(nil, f.acts.RemoveAmbariHosts, in)
	f.must(nil, f.acts.RemoveAmbariHosts, in)
	creds := f.acts.Master.For(f.spec.Name)
	cl := ambari.NewClient(ambariURL, creds.AmbariUser, creds.AmbariPassword)
	ids, err := cl.Requests(context.Background(), f.spec.Name)
	if err != nil {
		f.t.Fatal(err)
	}
	var decommissions []string
	for _, id := range ids {
		r, err := cl.Request(context.Background(), f.spec.Name, id)
		if err != nil {
			f.t.Fatal(err)
		}
		if strings.HasPrefix(r.Requests.RequestContext, "Decommission ") {
			decommissions = append(decommissions, r.Requests.RequestContext+" "+r.Requests.RequestStatus+" "+r.Tasks[0].Tasks.CommandDetail)
		}
	}
	want := "Decommission DATANODE COMPLETED DECOMMISSION, Excluded: " + n.FQDN + "|Decommission NODEMANAGER COMPLETED DECOMMISSION, Excluded: " + n.FQDN
	if got := strings.Join(decommissions, "|"); got != want {
		f.t.Fatalf("decommissions:\n got %s\nwant %s", got, want)
	}
	if hosts, _ := cl.ClusterHosts(context.Background(), f.spec.Name); len(hosts) != 2 {
		f.t.Fatalf("the host must have left the cluster: %v", hosts)
	}
}
