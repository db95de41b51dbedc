// Package e2e runs herd end to end: the embedded Temporal server, a worker,
// the starter, and clusters of real containers on the local Docker engine.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/blueprints"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/codec"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/devserver"
	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/internal/freeport"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/docker"
	"github.com/herdhq/herd/secrets"
	"github.com/herdhq/herd/starter"
	"github.com/herdhq/herd/worker"
	"github.com/herdhq/herd/workflows"
)

type stack struct {
	t       *testing.T
	metrics string // the worker's metrics address
	srv     *devserver.Server
	c       client.Client
	herd    *herdclient.Client
	p       *docker.Provider
	master  secrets.Master
	codec   *codec.Codec
	keyFile string // the master key, as the CLI reads it
	image   string
}

// start runs the embedded Temporal server with its UI and a worker on
// the local Docker engine.
func start(t *testing.T) *stack {
	p := dockertest.Provider(t)
	s := startServer(t)
	s.p, s.image = p, dockertest.NodeImage(t, p.Client)
	s.startWorker(providers.Registry{"docker": p})
	return s
}

// startServer runs the embedded Temporal server with its UI and a client
// with metrics; no worker yet.
func startServer(t *testing.T) *stack { return startServerAt(t, devserver.Options{}) }

// startServerAt is startServer with the server's options; with the UI port
// left 0, the UI gets a free port and the codec.
func startServerAt(t *testing.T, o devserver.Options) *stack {
	master, _ := secrets.Generate()
	cd, err := codec.New(secrets.KeyFile{Master: master})
	if err != nil {
		t.Fatal(err)
	}
	if o.UIPort == 0 {
		ports, err := freeport.Ports("127.0.0.1", 1)
		if err != nil {
			t.Fatal(err)
		}
		o.UIPort, o.CodecEndpoint = ports[0], serveCodec(t, cd, ports[0])
	}
	srv, err := devserver.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	obs := worker.Observability{MetricsAddr: "127.0.0.1:0"}
	dc := cd.DataConverter()
	c, err := herdclient.Dial(herdclient.Options{Address: srv.Address, Namespace: "default", Logger: quiet, Metrics: obs.ClientMetrics(), DataConverter: dc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ms, err := obs.Serve(c, "default", quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	keyFile := filepath.Join(t.TempDir(), "master.key")
	if err := (secrets.KeyFile{Master: master}).Write(keyFile); err != nil {
		t.Fatal(err)
	}
	return &stack{t: t, metrics: ms.Addr, srv: srv, c: c, herd: herdclient.New(c, dc), master: master, codec: cd, keyFile: keyFile}
}

// serveCodec serves the codec to the UI that will listen on uiPort, as
// herd dev does, and returns its endpoint.
func serveCodec(t *testing.T, cd *codec.Codec, uiPort int) string {
	ui := strconv.Itoa(uiPort)
	srv := httptest.NewServer(cd.Handler("e2e-token", []string{"http://127.0.0.1:" + ui, "http://localhost:" + ui}))
	t.Cleanup(srv.Close)
	return srv.URL + "/e2e-token"
}

// startWorker starts a worker with the given providers; the test may stop
// it (it is stopped at the end in any case).
func (s *stack) startWorker(reg providers.Registry) sdkworker.Worker {
	acts := &activities.Activities{Providers: reg, Master: s.master, Temporal: s.c, PollInterval: 300 * time.Millisecond}
	w := worker.New(s.c, acts, "")
	if err := w.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(w.Stop)
	return w
}

// spec is a multi-node cluster of n nodes on the stack's engine, with fast
// emulated Ambari tasks.
func (s *stack) spec(name string, n int) cluster.Spec {
	spec, err := blueprints.NewSpec(name, cluster.DefaultBlueprint, n)
	if err != nil {
		s.t.Fatal(err)
	}
	spec.Image, spec.Domain, spec.QuorumTimeout, spec.InstallTimeout = s.image, "herd.test", time.Minute, 2*time.Minute
	spec.NodeEnv = map[string]string{contract.EnvTaskDuration: "100ms"}
	return spec
}

// provision creates a cluster from spec and waits until it is ready.
func (s *stack) provision(spec cluster.Spec) (cluster.Status, error) {
	s.t.Helper()
	if s.p != nil {
		dockertest.Release(s.t, s.p, spec.Name)
	}
	if err := s.herd.Create(context.Background(), spec); err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	return s.herd.WaitProvisioned(ctx, spec.Name, nil)
}

// create provisions a 3-node cluster through the typed client; nodeEnv is
// added to every node's environment.
func (s *stack) create(name string, nodeEnv map[string]string) (cluster.Status, error) {
	s.t.Helper()
	spec := s.spec(name, 3)
	for k, v := range nodeEnv {
		spec.NodeEnv[k] = v
	}
	return s.provision(spec)
}

func TestClusterLifecycle(t *testing.T) {
	s := start(t)
	s.createWithCLI("e2e")
	s.checkSize("e2e", 3)
	s.checkCredentials("e2e")
	s.checkQueries("e2e")
	s.checkConfig("e2e")
	s.checkListAndUI()
	s.checkSummaries("e2e")
	s.checkMetrics()
	s.scale("e2e", 4, 5)
	s.scale("e2e", 1, 2)
	s.checkRefused("e2e")
	s.stopStart("e2e")
	s.checkSchedule("e2e")
	s.recordHistory("cluster/e2e", "lifecycle.json")
	s.recordByType(cluster.WorkflowScale, "scheduled-scale.json")
	rel, err := s.herd.Terminate(context.Background(), "e2e", cluster.ReleaseInput{})
	if err != nil || rel.Containers != 3 || rel.Networks != 1 {
		t.Fatalf("terminate: %+v %v", rel, err)
	}
	if left := s.leftovers("e2e"); left != "" {
		t.Fatalf("terminate left %s", left)
	}
	if st, err := s.herd.Status(context.Background(), "e2e"); err != nil || st.Phase != cluster.PhaseTerminated {
		t.Fatalf("after terminate: %+v %v", st, err)
	}
}

// cli runs the herd command line as a user would, stdout not a terminal.
func (s *stack) cli(args ...string) (string, int) {
	var out bytes.Buffer
	root := starter.NewCommand(nil)
	root.SetOut(&out)
	root.SetErr(&out)
	// The stack's key goes first, so that a test's own --secret-file wins.
	root.SetArgs(append([]string{"--secret-file", s.keyFile, "--address", s.srv.Address}, args...))
	code := starter.Execute(root)
	return out.String(), code
}

// createWithCLI provisions with `herd cluster create --wait`: progress lines
// come in step order and end with the node table; status parses as JSON.
func (s *stack) createWithCLI(name string) {
	s.t.Helper()
	dockertest.Release(s.t, s.p, name)
	out, code := s.cli("cluster", "create", name, "--wait", "--image", s.image, "--domain", "herd.test", "--emulator-task-duration", "100ms")
	if code != 0 {
		s.t.Fatalf("create exited %d:\n%s", code, out)
	}
	last := -1
	for _, step := range workflows.ProvisionSteps {
		i := strings.Index(out, "] "+step)
		if i < last {
			s.t.Fatalf("step %s out of order:\n%s", step, out)
		}
		last = i
	}
	for _, want := range []string{"WaitForSerfQuorum      done     3/3 alive", "StartAgentContainers   done     2/2 started"} {
		if !strings.Contains(out, want) {
			s.t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[len(lines)-4], "NODE") || !strings.HasPrefix(lines[len(lines)-1], name+"-3 ") {
		s.t.Fatalf("output must end with the node table:\n%s", out)
	}
	js, code := s.cli("cluster", "status", name, "-o", "json")
	var st cluster.Status
	if err := json.Unmarshal([]byte(js), &st); code != 0 || err != nil || st.Phase != cluster.PhaseReady || len(st.Nodes) != 3 {
		s.t.Fatalf("status -o json (exit %d): %v\n%s", code, err, js)
	}
	if out, code := s.cli("cluster", "scale", name, "--nodes", "0"); code != 1 || !strings.Contains(out, "can have 1 to 100 nodes") {
		s.t.Fatalf("a refused scale exits 1 saying why, got %d:\n%s", code, out)
	}
}

func (s *stack) scale(name string, slaves, total int) {
	s.t.Helper()
	var steps []string
	res, err := s.herd.Scale(context.Background(), name, scaleReq(slaves), func(snap herdclient.Snapshot) {
		for _, st := range snap.Status.Steps {
			if st.State != cluster.StepPending {
				steps = append(steps, st.Name+" "+string(st.State))
			}
		}
	})
	if err != nil || res.Nodes != total {
		s.t.Fatalf("scale to %d slaves: %+v %v", slaves, res, err)
	}
	if !slices.Contains(steps, workflows.StepQuorum+" done") {
		s.t.Errorf("scale progress never showed the quorum step done: %v", steps)
	}
	s.checkSize(name, total)
}

func (s *stack) checkRefused(name string) {
	before, _ := s.p.Containers(context.Background(), name)
	err := s.herd.Submit(context.Background(), name, cluster.UpdateScale, scaleReq(0))
	if err == nil || !strings.Contains(err.Error(), `host group "slaves" of cluster e2e can have 1 to 100 nodes, not 0`) {
		s.t.Fatalf("out-of-range scale: %v", err)
	}
	after, _ := s.p.Containers(context.Background(), name)
	if len(after) != len(before) {
		s.t.Fatalf("a refused scale touched the cluster: %v -> %v", before, after)
	}
	// Creating it again is refused, not taken for the running cluster.
	out, code := s.cli("cluster", "create", name, "--nodes", "5", "--image", s.image, "--domain", "herd.test")
	if code == 0 || !strings.Contains(out, "cluster "+name+" already exists") {
		s.t.Fatalf("a second create of %s exited %d:\n%s", name, code, out)
	}
	if again, _ := s.p.Containers(context.Background(), name); len(again) != len(before) {
		s.t.Fatalf("a refused create touched the cluster: %v -> %v", before, again)
	}
}

func (s *stack) stopStart(name string) {
	s.t.Helper()
	ctx := context.Background()
	res, err := s.herd.Stop(ctx, name, nil)
	if err != nil || res.Phase != cluster.PhaseStopped {
		s.t.Fatalf("stop: %+v %v", res, err)
	}
	if running := s.running(name); running != 0 {
		s.t.Fatalf("%d containers still run after stop", running)
	}
	res, err = s.herd.Start(ctx, name, nil)
	if err != nil || res.Phase != cluster.PhaseReady {
		s.t.Fatalf("start: %+v %v", res, err)
	}
	s.checkSize(name, 2)
}

func (s *stack) checkSchedule(name string) {
	s.t.Helper()
	at := time.Now().Add(4 * time.Second).UTC().Format(time.RFC3339)
	r := herdclient.ScheduleRequest{Cluster: name, Request: scaleReq(2), At: at}
	if err := s.herd.CreateSchedule(context.Background(), "e2e-up", r); err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := s.herd.Watch(ctx, name, func(st cluster.Status) bool { return len(st.Nodes) == 3 && st.Phase == cluster.PhaseReady }, nil)
	if err != nil || len(st.Nodes) != 3 {
		s.t.Fatalf("the schedule did not scale the cluster: %+v %v", st, err)
	}
	s.checkSize(name, 3)
}
