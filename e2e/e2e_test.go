// Package e2e runs herd end to end: the embedded Temporal server, a worker,
// the starter, and clusters of real containers on the local Docker engine.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"
	serfclient "github.com/hashicorp/serf/client"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/devserver"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/docker"
	"github.com/herdhq/herd/secrets"
	"github.com/herdhq/herd/starter"
	"github.com/herdhq/herd/worker"
	"github.com/herdhq/herd/workflows"
)

type stack struct {
	t      *testing.T
	srv    *devserver.Server
	c      client.Client
	p      *docker.Provider
	master secrets.Master
	image  string
}

// start runs the embedded Temporal server with its UI and a worker.
func start(t *testing.T) *stack {
	p := dockertest.Provider(t)
	image := dockertest.NodeImage(t, p.Client)
	srv, err := devserver.Start(devserver.Options{UIPort: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := worker.Dial(worker.ClientOptions{Address: srv.Address, Namespace: "default", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	master, _ := secrets.Generate()
	acts := &activities.Activities{Providers: providers.Registry{"docker": p}, Master: master, PollInterval: 500 * time.Millisecond}
	w := worker.New(c, acts)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return &stack{t: t, srv: srv, c: c, p: p, master: master, image: image}
}

func (s *stack) create(name string, nodeEnv ...string) (*workflows.Result, string, error) {
	s.t.Helper()
	f := starter.CreateFlags{Blueprint: "multi-node-hdfs-yarn", Nodes: 3, Provider: "docker", Image: s.image,
		Domain: "herd.test", NodeEnv: nodeEnv, TaskDuration: "100ms", QuorumTimeout: time.Minute, InstallTimeout: 2 * time.Minute}
	spec, err := f.Spec(name)
	if err != nil {
		s.t.Fatal(err)
	}
	dockertest.Release(s.t, s.p, name)
	if _, err := starter.Create(context.Background(), s.c, spec); err != nil {
		s.t.Fatal(err)
	}
	var progress bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	res, err := starter.Follow(ctx, s.c, name, &progress)
	return res, progress.String(), err
}

func (s *stack) leftovers(name string) string {
	names, err := s.p.Containers(context.Background(), name)
	if err != nil {
		s.t.Fatal(err)
	}
	nets, err := s.p.Client.NetworkInspect(context.Background(), docker.NetworkName(name), network.InspectOptions{})
	if err == nil {
		return fmt.Sprintf("containers %v, network %s", names, nets.Name)
	}
	if len(names) > 0 {
		return fmt.Sprintf("containers %v", names)
	}
	return ""
}

func TestProvisionAndTerminate(t *testing.T) {
	s := start(t)
	res, progress, err := s.create("e2e")
	if err != nil {
		t.Fatalf("%v\nprogress:\n%s", err, progress)
	}
	if res.RequestStatus != "COMPLETED" || len(res.Nodes) != 3 {
		t.Fatalf("result %+v", res)
	}
	for _, want := range []string{"[5/7] WaitForSerfQuorum      done     3/3 alive", "[4/7] StartAgentContainers   done     2/2 started", "cluster e2e: ready"} {
		if !strings.Contains(progress, want) {
			t.Errorf("progress lacks %q:\n%s", want, progress)
		}
	}
	s.checkSerfMembers(res)
	s.checkNamesResolve(res)
	s.checkStatusAndList()
	s.checkUI()
	recordHistory(t, s.c, workflows.WorkflowID("e2e"))
	rel, err := starter.Terminate(context.Background(), s.c, "e2e")
	if err != nil || rel.Containers != 3 || rel.Networks != 1 {
		t.Fatalf("terminate: %+v %v", rel, err)
	}
	if left := s.leftovers("e2e"); left != "" {
		t.Fatalf("terminate left %s", left)
	}
}

func (s *stack) checkSerfMembers(res *workflows.Result) {
	cl, err := serfclient.ClientFromConfig(&serfclient.Config{Addr: res.Nodes[0].SerfRPC, AuthKey: s.master.For("e2e").SerfRPCAuth})
	if err != nil {
		s.t.Fatal(err)
	}
	defer cl.Close()
	ms, err := cl.MembersFiltered(nil, "alive", "")
	if err != nil || len(ms) != 3 {
		s.t.Fatalf("serf members: %v %v", ms, err)
	}
}

func (s *stack) checkNamesResolve(res *workflows.Result) {
	for _, from := range res.Nodes {
		for _, to := range res.Nodes {
			out, err := dockertest.Exec(context.Background(), s.p, docker.ContainerName(from.Name), "/herd-node", "resolve", to.FQDN)
			if err != nil || out != to.IP {
				s.t.Errorf("%s resolves %s to %q (%v), want %s", from.Name, to.FQDN, out, err, to.IP)
			}
		}
	}
}

func (s *stack) checkStatusAndList() {
	st, err := starter.QueryStatus(context.Background(), s.c, "e2e")
	if err != nil || st.Phase != workflows.PhaseReady || len(st.Nodes) != 3 || st.Nodes[2].IP == "" {
		s.t.Fatalf("status: %+v %v", st, err)
	}
	list, err := starter.List(context.Background(), s.c)
	if err != nil || len(list) == 0 || list[0].Name != "e2e" || list[0].Status != "ready" {
		s.t.Fatalf("list: %+v %v", list, err)
	}
}

// checkUI asks the embedded Web UI's API for the workflow.
func (s *stack) checkUI() {
	url := s.srv.UIURL + "/api/v1/namespaces/default/workflows?query=" + "WorkflowId%3D%22cluster-e2e%22"
	resp, err := http.Get(url)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "cluster-e2e") {
		s.t.Fatalf("UI %s: %d %s", url, resp.StatusCode, body)
	}
}

func TestFailedInstallLeavesNothing(t *testing.T) {
	s := start(t)
	_, progress, err := s.create("e2efail", "EMU_FAIL_HOSTS=e2efail-2.herd.test")
	if err == nil || !strings.Contains(err.Error(), "on e2efail-2.herd.test") {
		t.Fatalf("want a failure naming the host, got %v\n%s", err, progress)
	}
	st, _ := starter.QueryStatus(context.Background(), s.c, "e2efail")
	if st.Phase != workflows.PhaseFailed || st.Released == nil || st.Released.Containers != 3 {
		t.Fatalf("status after failure: %+v", st)
	}
	if left := s.leftovers("e2efail"); left != "" {
		t.Fatalf("compensation left %s", left)
	}
}

// recordHistory keeps the workflow's history for the replay test when
// HERD_RECORD_HISTORY=1.
func recordHistory(t *testing.T, c client.Client, id string) {
	if os.Getenv("HERD_RECORD_HISTORY") != "1" {
		return
	}
	it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "workflows", "testdata", "provision_history.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
