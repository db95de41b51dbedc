package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	serfclient "github.com/hashicorp/serf/client"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/providers/docker"
	"github.com/herdhq/herd/secrets"
	"github.com/herdhq/herd/starter"
)

func scaleReq(slaves int) cluster.ScaleRequest {
	return cluster.ScaleRequest{HostGroup: "slaves", Count: slaves}
}

// checkSize: containers, alive Serf members, DNS and Ambari's host list all
// agree with the cluster's status on n nodes.
func (s *stack) checkSize(name string, n int) {
	s.t.Helper()
	st, err := s.herd.Status(context.Background(), name)
	if err != nil || len(st.Nodes) != n {
		s.t.Fatalf("status: %d nodes (%v), want %d", len(st.Nodes), err, n)
	}
	if running := s.running(name); running != n {
		s.t.Fatalf("%d containers run, want %d", running, n)
	}
	cl, err := serfclient.ClientFromConfig(&serfclient.Config{Addr: st.SerfRPC, AuthKey: s.master.For(name).SerfRPCAuth})
	if err != nil {
		s.t.Fatal(err)
	}
	defer cl.Close()
	if ms, err := cl.MembersFiltered(nil, "alive", ""); err != nil || len(ms) != n {
		s.t.Fatalf("serf: %d alive (%v), want %d", len(ms), err, n)
	}
	server := docker.ContainerName(st.Nodes[0].Name)
	for _, node := range st.Nodes {
		ip, err := dockertest.Exec(context.Background(), s.p, server, "/herd-node", "resolve", node.FQDN)
		if err != nil || ip != node.IP {
			s.t.Errorf("%s resolves %s to %q (%v), want %s", server, node.FQDN, ip, err, node.IP)
		}
	}
	creds := s.master.For(name)
	hosts, err := ambari.NewClient(st.AmbariURL, creds.AmbariUser, creds.AmbariPassword).ClusterHosts(context.Background(), name)
	if err != nil || len(hosts) != n {
		s.t.Fatalf("ambari cluster hosts: %v %v, want %d", hosts, err, n)
	}
}

func (s *stack) running(name string) int {
	n := 0
	names, _ := s.p.Containers(context.Background(), name)
	for _, node := range names {
		c, err := s.p.Client.ContainerInspect(context.Background(), docker.ContainerName(node))
		if err == nil && c.State.Running {
			n++
		}
	}
	return n
}

func (s *stack) leftovers(name string) string {
	names, err := s.p.Containers(context.Background(), name)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.p.Client.NetworkInspect(context.Background(), docker.NetworkName(name), network.InspectOptions{}); err == nil {
		return fmt.Sprintf("containers %v and network %s", names, docker.NetworkName(name))
	}
	vols, err := s.p.Client.VolumeList(context.Background(), volume.ListOptions{Filters: filters.NewArgs(filters.Arg("label", contract.LabelCluster+"="+name))})
	if err == nil && len(vols.Volumes) > 0 {
		return fmt.Sprintf("containers %v and %d volumes", names, len(vols.Volumes))
	}
	if len(names) > 0 {
		return fmt.Sprintf("containers %v", names)
	}
	return ""
}

// checkListAndUI: the cluster is listed, and the embedded Web UI's API
// finds its workflow.
func (s *stack) checkListAndUI() {
	list, err := s.herd.List(context.Background())
	if err != nil || len(list) == 0 || list[0].Name != "e2e" || list[0].Phase != "ready" || list[0].Nodes != 3 {
		s.t.Fatalf("list: %+v %v", list, err)
	}
	url := s.srv.UIURL + "/api/v1/namespaces/default/workflows?query=HerdCluster%3D%22e2e%22%20AND%20HerdPhase%3D%22ready%22"
	resp, err := http.Get(url)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "cluster/e2e") {
		s.t.Fatalf("UI %s: %d %s", url, resp.StatusCode, body)
	}
}

func TestFailedInstallLeavesNothing(t *testing.T) {
	s := start(t)
	_, err := s.create("e2efail", map[string]string{contract.EnvFailHosts: "e2efail-2.herd.test"})
	if err == nil || !strings.Contains(err.Error(), "on e2efail-2.herd.test") {
		t.Fatalf("want a failure naming the host, got %v", err)
	}
	st, _ := s.herd.Status(context.Background(), "e2efail")
	if st.Phase != "failed" || st.Released == nil || st.Released.Containers != 3 {
		t.Fatalf("status after failure: %+v", st)
	}
	if left := s.leftovers("e2efail"); left != "" {
		t.Fatalf("compensation left %s", left)
	}
}

// history is a workflow's latest run's history as Temporal stores it
// (payloads encrypted).
func (s *stack) history(id string) *historypb.History { return s.historyOf(id, "") }

// historyOf is the history of one run of a workflow.
func (s *stack) historyOf(id, runID string) *historypb.History {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	it := s.c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			s.t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	return h
}

// decoded is a history with its payloads decrypted.
func (s *stack) decoded(h *historypb.History) *historypb.History {
	s.t.Helper()
	err := proxy.VisitPayloads(context.Background(), h, proxy.VisitPayloadsOptions{SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return s.codec.Decode(ps)
		}})
	if err != nil {
		s.t.Fatalf("decode history: %v", err)
	}
	return h
}

// release names this release's recorded histories: a new release records
// into a new directory and leaves the earlier ones as they are.
const release = "release-5"

// recordHistory keeps the workflow's latest run's history, decrypted, for
// the replay test when HERD_RECORD_HISTORY=1.
func (s *stack) recordHistory(id, file string) { s.recordRun(id, "", file) }

// recordRun is recordHistory for one run of a workflow.
func (s *stack) recordRun(id, runID, file string) {
	t := s.t
	if os.Getenv("HERD_RECORD_HISTORY") != "1" {
		return
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(s.decoded(s.historyOf(id, runID)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "workflows", "testdata", "histories", release, file), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// recordByType records the latest completed workflow of a type.
func (s *stack) recordByType(workflowType, file string) {
	if os.Getenv("HERD_RECORD_HISTORY") != "1" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var run *workflowpb.WorkflowExecutionInfo
	err := poll.Until(ctx, time.Second, func(ctx context.Context) (bool, error) {
		resp, err := s.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Completed'", workflowType)})
		if err != nil || len(resp.Executions) == 0 {
			return false, nil
		}
		run = resp.Executions[0]
		return true, nil
	})
	if err != nil {
		s.t.Fatalf("no completed %s to record: %v", workflowType, err)
	}
	s.recordRun(run.Execution.WorkflowId, run.Execution.RunId, file)
}

// checkSummaries: the workflow's summary and its activities' summaries,
// which the UI shows beside each step, say what was done to which node.
func (s *stack) checkSummaries(name string) {
	ctx := context.Background()
	d, err := s.c.DescribeWorkflowExecution(ctx, cluster.WorkflowID(name), "")
	if err != nil {
		s.t.Fatal(err)
	}
	var summary string
	_ = s.herd.DC.FromPayload(d.GetExecutionConfig().GetUserMetadata().GetSummary(), &summary)
	if summary != "Hadoop cluster "+name+": blueprint multi-node-hdfs-yarn, 3 nodes on docker" {
		s.t.Errorf("workflow summary %q", summary)
	}
	var steps []string
	it := s.c.GetWorkflowHistory(ctx, cluster.WorkflowID(name), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			s.t.Fatal(err)
		}
		if e.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
			var text string
			_ = s.herd.DC.FromPayload(e.GetUserMetadata().GetSummary(), &text)
			steps = append(steps, text)
		}
	}
	joined := strings.Join(steps, "; ")
	for _, want := range []string{"allocate 3 instances on docker", "start agent " + name + "-3 on docker", "wait for 3 alive serf members", "follow Ambari request 1"} {
		if !strings.Contains(joined, want) {
			s.t.Errorf("activity summaries lack %q: %s", want, joined)
		}
	}
}

// metricsText is what the worker's /metrics serves.
func (s *stack) metricsText() string {
	resp, err := http.Get("http://" + s.metrics + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// checkMetrics: the worker's /metrics shows the SDK's metrics and herd's.
func (s *stack) checkMetrics() {
	text := s.metricsText()
	for _, want := range []string{
		`herd_clusters\{phase="ready"\} 1\n`,
		`herd_nodes_alive\{[^}]*cluster="e2e"[^}]*\} 3\n`,
		`herd_step_duration_seconds_count\{[^}]*step="WaitForSerfQuorum"[^}]*\} 1\n`,
		`temporal_activity_execution_latency_seconds_count\{[^}]*activity_type="StartAgentContainer"`,
		`temporal_request\{`,
	} {
		if !regexp.MustCompile(want).MatchString(text) {
			s.t.Errorf("metrics lack %s", want)
		}
	}
}

// ambariHosts is each host of the cluster in Ambari, with its state.
func (s *stack) ambariHosts(st cluster.Status, name string) map[string]string {
	s.t.Helper()
	cl := ambariClient(st, s.master.For(name))
	in, err := cl.ClusterHosts(context.Background(), name)
	if err != nil {
		s.t.Fatalf("ambari cluster hosts: %v", err)
	}
	all, err := cl.Hosts(context.Background())
	if err != nil {
		s.t.Fatalf("ambari hosts: %v", err)
	}
	out := map[string]string{}
	for _, h := range all {
		if slices.Contains(in, h.HostName) {
			out[h.HostName] = h.HostState
		}
	}
	return out
}

func ambariClient(st cluster.Status, creds secrets.Cluster) *ambari.Client {
	return ambari.NewClient(st.AmbariURL, creds.AmbariUser, creds.AmbariPassword)
}

// signals counts the health reports in a cluster workflow's history.
func (s *stack) signals(name string) int {
	s.t.Helper()
	it := s.c.GetWorkflowHistory(context.Background(), cluster.WorkflowID(name), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			s.t.Fatal(err)
		}
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
			n++
		}
	}
	return n
}

// checkCredentials: `herd cluster credentials` needs the master key, and
// what it prints logs in to the cluster's Ambari and Serf.
func (s *stack) checkCredentials(name string) {
	s.t.Helper()
	if out, code := s.cli("cluster", "credentials", name, "--secret-file", filepath.Join(s.t.TempDir(), "none.key")); code != 2 || !strings.Contains(out, "--secret-file") {
		s.t.Fatalf("without the key, credentials must exit 2 saying where to get it (%d):\n%s", code, out)
	}
	out, code := s.cli("cluster", "credentials", name, "-o", "json")
	var cr starter.Credentials
	if err := json.Unmarshal([]byte(out), &cr); code != 0 || err != nil {
		s.t.Fatalf("credentials (exit %d): %v\n%s", code, err, out)
	}
	if _, err := ambari.NewClient(cr.AmbariURL, cr.AmbariUser, cr.AmbariPassword).ClusterHosts(context.Background(), name); err != nil {
		s.t.Fatalf("the printed credentials must log in to Ambari: %v", err)
	}
	if _, err := ambari.NewClient(cr.AmbariURL, cr.AmbariUser, "wrong").ClusterHosts(context.Background(), name); !ambari.HasStatus(err, 403) {
		s.t.Fatalf("a wrong password must be refused: %v", err)
	}
	cl, err := serfclient.ClientFromConfig(&serfclient.Config{Addr: cr.SerfRPC, AuthKey: cr.SerfRPCAuth})
	if err != nil {
		s.t.Fatalf("the printed serf token must work: %v", err)
	}
	cl.Close()
}

// checkQueries: `herd cluster query` gets every node's facts and DNS view
// through the cluster's Serf, and `herd cluster event` reaches the nodes.
func (s *stack) checkQueries(name string) {
	s.t.Helper()
	out, code := s.cli("cluster", "query", name, "facts", "-o", "json")
	var res starter.QueryResult
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || len(res.Facts) != 3 || len(res.Silent) != 0 {
		s.t.Fatalf("query facts (exit %d): %v\n%s", code, err, out)
	}
	for _, f := range res.Facts {
		if len(f.Disks) == 0 || f.Disks[0].Mount != "/" || f.MemTotal <= 0 {
			s.t.Errorf("facts of %s: %+v", f.Node, f)
		}
	}
	out, code = s.cli("cluster", "query", name, "dns")
	if code != 0 || !strings.Contains(out, "all 3 nodes that answered see the same names") {
		s.t.Fatalf("query dns (exit %d):\n%s", code, out)
	}
	if out, code := s.cli("cluster", "event", name, "dns-refresh"); code != 0 || !strings.Contains(out, "event herd-dns-refresh sent") {
		s.t.Fatalf("event (exit %d):\n%s", code, out)
	}
}

// checkConfig: `herd cluster config set` makes a new version in Ambari and
// its restart request completes; `config get` reads it back; a service is
// stopped and started on its own.
func (s *stack) checkConfig(name string) {
	s.t.Helper()
	before, _ := s.cli("cluster", "config", "get", name, "hdfs-site", "-o", "json")
	var old ambari.Config
	_ = json.Unmarshal([]byte(before), &old) // no version yet is fine: the set makes the first
	out, code := s.cli("cluster", "config", "set", name, "hdfs-site", "dfs.replication=2", "dfs.herd.test=e2e", "--wait", "-o", "json")
	var res cluster.OpResult
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || res.RequestID == 0 {
		s.t.Fatalf("config set (exit %d): %v\n%s", code, err, out)
	}
	out, code = s.cli("cluster", "config", "get", name, "hdfs-site", "-o", "json")
	var now ambari.Config
	if err := json.Unmarshal([]byte(out), &now); code != 0 || err != nil || now.Version != old.Version+1 || now.Properties["dfs.herd.test"] != "e2e" {
		s.t.Fatalf("config get after set (exit %d, was version %d): %v\n%s", code, old.Version, err, out)
	}
	st, err := s.herd.Status(context.Background(), name)
	if err != nil {
		s.t.Fatal(err)
	}
	cl := ambariClient(st, s.master.For(name))
	r, err := cl.Request(context.Background(), name, res.RequestID)
	if err != nil || r.Requests.RequestStatus != ambari.StatusCompleted || r.Requests.TaskCount == 0 {
		s.t.Fatalf("the restart request: %+v %v", r, err)
	}
	if stale, err := cl.StaleComponents(context.Background(), name, ""); err != nil || len(stale) != 0 {
		s.t.Fatalf("after the restart nothing is stale: %+v %v", stale, err)
	}
	for _, action := range []string{"stop", "start"} {
		if out, code := s.cli("cluster", "service", action, name, "hdfs", "--wait"); code != 0 {
			s.t.Fatalf("service %s (exit %d):\n%s", action, code, out)
		}
	}
}
