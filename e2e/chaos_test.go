//go:build chaos

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/devserver"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/internal/faultproxy"
	"github.com/herdhq/herd/internal/freeport"
	"github.com/herdhq/herd/workflows"
)

// The chaos tests (make chaos) kill the process holding the worker (kill
// -9, right after a step's side effects, its result lost) at every step of
// every operation, start a new one, and check that each operation ends
// with exactly the expected containers: none duplicated, none orphaned,
// none lost. A table of what was killed where is logged.

// workerProc is a herd worker in a process of its own.
type workerProc struct {
	cmd  *exec.Cmd
	done chan error
}

// herdBinary builds the herd command once per test binary.
func herdBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(os.TempDir(), "herd-chaos-bin")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/herd")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build herd: %v\n%s", err, out)
	}
	return bin
}

// spawn starts a worker process; with killAfter it kills itself after
// that activity's first attempt.
func (s *stack) spawn(bin, killAfter string, env ...string) *workerProc {
	s.t.Helper()
	logf, err := os.OpenFile(filepath.Join(s.t.TempDir(), "worker.log"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(bin, "worker", "--address", s.srv.Address, "--secret-file", s.keyFile)
	cmd.Env = append(append(os.Environ(), "HERD_CHAOS_KILL_AFTER="+killAfter), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	w := &workerProc{cmd: cmd, done: make(chan error, 1)}
	go func() { w.done <- cmd.Wait(); logf.Close() }()
	s.t.Cleanup(func() { _ = cmd.Process.Kill() })
	return w
}

// killed waits until the worker killed itself at its step.
func (w *workerProc) killed(t *testing.T, step string) {
	t.Helper()
	select {
	case err := <-w.done:
		if err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("the worker ended (%v), not killed at %s", err, step)
		}
	case <-time.After(3 * time.Minute):
		t.Fatalf("the worker was never killed: step %s never ran", step)
	}
}

func (w *workerProc) stop() {
	_ = w.cmd.Process.Kill()
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
	}
}

// current is the worker process that runs between chaos runs.
var current *workerProc

// chaos runs op with the worker killed after step (the only worker then,
// so that it is the one to run the step), and a new worker to finish, left
// running; it returns what the operation returned.
func (s *stack) chaos(bin, step string, op func() error) error {
	s.t.Helper()
	if current != nil {
		current.stop()
	}
	current = s.spawn(bin, step)
	errc := make(chan error, 1)
	go func() { errc <- op() }()
	if step != "" {
		current.killed(s.t, step)
		current = s.spawn(bin, "")
	}
	select {
	case err := <-errc:
		return err
	case <-time.After(5 * time.Minute):
		return fmt.Errorf("the operation did not end")
	}
}

// exact checks the cluster has exactly these nodes' containers, one each,
// running or not, one network and the server's volume.
func (s *stack) exact(name string, nodes []string, running bool) string {
	s.t.Helper()
	have, _ := s.p.Containers(context.Background(), name)
	if !slices.Equal(have, nodes) {
		s.t.Fatalf("cluster %s has containers %v, want exactly %v", name, have, nodes)
	}
	if running {
		s.checkSize(name, len(nodes))
	} else if n := s.running(name); n != 0 {
		s.t.Fatalf("%d containers of stopped %s run", n, name)
	}
	return fmt.Sprintf("%d containers, exact", len(have))
}

func nodeNamesOf(name string, idx ...int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, cluster.NodeName(name, i))
	}
	slices.Sort(out)
	return out
}

func TestChaosEveryOperationEveryStep(t *testing.T) {
	s := startServer(t)
	s.p = dockertest.Provider(t)
	s.image = dockertest.NodeImage(t, s.p.Client)
	bin := herdBinary(t)
	ctx := context.Background()
	table := []string{"| operation | worker killed after | outcome |", "|---|---|---|"}
	row := func(op, step, outcome string) {
		table = append(table, fmt.Sprintf("| %s | %s | %s |", op, step, outcome))
	}
	defer func() { t.Log("\n" + strings.Join(table, "\n")) }()

	// Provisioning, killed at each of its steps.
	for i, step := range []string{"AllocateInstances", "ApplyCloudInit", "StartServerContainer", "StartAgentContainer", "WaitForSerfQuorum", "SubmitBlueprint", "PollAmbariRequest"} {
		name := fmt.Sprintf("chp%d", i)
		err := s.chaos(bin, step, func() error {
			_, err := s.provision(s.spec(name, 3))
			return err
		})
		if err != nil {
			t.Fatalf("provision killed after %s: %v", step, err)
		}
		row("provision", step, s.exact(name, nodeNamesOf(name, 1, 2, 3), true))
		s.terminateQuietly(bin, name)
	}

	// One cluster lives through every other operation.
	name := "chops"
	spec := s.spec(name, 3)
	spec.Repair = cluster.RepairPolicy{Mode: cluster.RepairManual, After: time.Minute}
	if err := s.chaos(bin, "", func() error { _, err := s.provision(spec); return err }); err != nil {
		t.Fatal(err)
	}
	up := []string{"AllocateInstances", "ApplyCloudInit", "StartAgentContainer", "WaitForSerfQuorum", "AddAmbariHosts", "PollAmbariRequest"}
	down := []string{"RemoveAmbariHosts", "RemoveNodes", "WaitForSerfQuorum"}
	next := 4
	for i, step := range up {
		err := s.chaos(bin, step, func() error {
			_, err := s.herd.Scale(ctx, name, cluster.ScaleRequest{HostGroup: "slaves", Count: 3}, nil)
			return err
		})
		if err != nil {
			t.Fatalf("scale up killed after %s: %v", step, err)
		}
		row("scale up", step, s.exact(name, nodeNamesOf(name, 1, 2, 3, next), true))
		kill := ""
		if i < len(down) {
			kill = down[i]
		}
		err = s.chaos(bin, kill, func() error {
			_, err := s.herd.Scale(ctx, name, cluster.ScaleRequest{HostGroup: "slaves", Count: 2}, nil)
			return err
		})
		if err != nil {
			t.Fatalf("scale down killed after %s: %v", kill, err)
		}
		if kill != "" {
			row("scale down", kill, s.exact(name, nodeNamesOf(name, 1, 2, 3), true))
		}
		next++
	}

	stop := []string{"SetServicesState", "PollAmbariRequest", "StopNodes"}
	start := []string{"StartServerContainer", "StartAgentContainer", "WaitForSerfQuorum", "SetServicesState", "PollAmbariRequest"}
	for i, step := range start {
		kill := ""
		if i < len(stop) {
			kill = stop[i]
		}
		if err := s.chaos(bin, kill, func() error { _, err := s.herd.Stop(ctx, name, nil); return err }); err != nil {
			t.Fatalf("stop killed after %s: %v", kill, err)
		}
		outcome := s.exact(name, nodeNamesOf(name, 1, 2, 3), false)
		if kill != "" {
			row("stop", kill, outcome)
		}
		if err := s.chaos(bin, step, func() error { _, err := s.herd.Start(ctx, name, nil); return err }); err != nil {
			t.Fatalf("start killed after %s: %v", step, err)
		}
		row("start", step, s.exact(name, nodeNamesOf(name, 1, 2, 3), true))
	}

	repair := []string{"RemoveAmbariHosts", "RemoveNodes", "AllocateInstances", "ApplyCloudInit", "StartAgentContainer", "WaitForSerfQuorum", "AddAmbariHosts", "PollAmbariRequest"}
	for _, step := range repair {
		s.repairChaos(bin, name, cluster.NodeName(name, 3), step)
		row("repair an agent", step, s.exact(name, nodeNamesOf(name, 1, 2, 3), true))
	}
	s.repairChaos(bin, name, cluster.NodeName(name, 1), "StartServerContainer")
	row("repair the server", "StartServerContainer", s.exact(name, nodeNamesOf(name, 1, 2, 3), true))

	if err := s.chaos(bin, workflows.StepRelease, func() error {
		_, err := s.herd.Terminate(ctx, name, cluster.ReleaseInput{})
		return err
	}); err != nil {
		t.Fatalf("terminate killed after ReleaseCluster: %v", err)
	}
	if left := s.leftovers(name); left != "" {
		t.Fatalf("terminate left %s", left)
	}
	row("terminate", workflows.StepRelease, "nothing left")
}

// repairChaos kills a node's container, waits until herd sees it down and
// repairs it with the worker killed after step.
func (s *stack) repairChaos(bin, name, node, step string) {
	s.t.Helper()
	id := s.containerID(node)
	if err := s.p.Client.ContainerKill(context.Background(), id, "KILL"); err != nil {
		s.t.Fatal(err)
	}
	s.waitStatus(name, node+" seen down", 2*time.Minute, func(st cluster.Status) bool { return nodeHealth(st, node).Down() })
	err := s.chaos(bin, step, func() error {
		_, err := s.herd.Repair(context.Background(), name, cluster.RepairRequest{Nodes: []string{node}}, nil)
		return err
	})
	if err != nil {
		s.t.Fatalf("repair of %s killed after %s: %v", node, step, err)
	}
	if s.containerID(node) == id {
		s.t.Fatalf("%s was not replaced", node)
	}
}

func (s *stack) terminateQuietly(bin, name string) {
	s.t.Helper()
	if err := s.chaos(bin, "", func() error {
		_, err := s.herd.Terminate(context.Background(), name, cluster.ReleaseInput{})
		return err
	}); err != nil {
		s.t.Fatal(err)
	}
	if left := s.leftovers(name); left != "" {
		s.t.Fatalf("terminate left %s", left)
	}
}

// TestChaosServerRestart restarts the embedded Temporal server (its SQLite
// file kept) while a cluster provisions: the worker and the client find it
// again and the cluster ends ready with exactly its nodes.
func TestChaosServerRestart(t *testing.T) {
	dir := t.TempDir()
	ports, err := freeport.Ports("127.0.0.1", 1)
	if err != nil {
		t.Fatal(err)
	}
	s := startServerAt(t, devserver.Options{DataDir: dir, Port: ports[0], UIPort: -1})
	s.p = dockertest.Provider(t)
	s.image = dockertest.NodeImage(t, s.p.Client)
	bin := herdBinary(t)
	w := s.spawn(bin, "")
	defer w.stop()
	spec := s.spec("chsrv", 3)
	spec.NodeEnv[contract.EnvTaskDuration] = "3s"
	dockertest.Release(t, s.p, spec.Name)
	if err := s.herd.Create(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	s.waitStatus(spec.Name, "the blueprint submitted", 2*time.Minute, func(st cluster.Status) bool {
		return st.Step(workflows.StepPollRequest).State == cluster.StepRunning
	})
	s.srv.Stop()
	srv, err := devserver.Start(devserver.Options{DataDir: dir, Port: ports[0], UIPort: -1})
	if err != nil {
		t.Fatalf("restart the server: %v", err)
	}
	t.Cleanup(srv.Stop)
	s.srv = srv
	st := s.waitStatus(spec.Name, "ready after the server's restart", 3*time.Minute, func(st cluster.Status) bool { return st.Phase == cluster.PhaseReady })
	if len(st.Nodes) != 3 {
		t.Fatalf("status after restart: %+v", st)
	}
	s.exact(spec.Name, nodeNamesOf(spec.Name, 1, 2, 3), true)
}

// TestChaosFaultyDockerAPI puts a fault-injecting proxy between the worker
// and the Docker API (one call in six faulted: a 500, a reset before or
// after the engine saw the call, three seconds of delay): every operation
// still completes with exactly its containers, the retries are in the
// history (and so in the UI), and every kind of fault was dealt.
func TestChaosFaultyDockerAPI(t *testing.T) {
	s := startServer(t)
	s.p = dockertest.Provider(t)
	s.image = dockertest.NodeImage(t, s.p.Client)
	proxy, err := faultproxy.Start(dockertest.Socket(), 6, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	w := s.spawn(herdBinary(t), "", "DOCKER_HOST=tcp://"+proxy.Addr)
	defer w.stop()
	ctx := context.Background()
	name := "chfault"
	if st, err := s.provision(s.spec(name, 3)); err != nil || st.Phase != cluster.PhaseReady {
		t.Fatalf("provision through faults: %+v %v", st, err)
	}
	s.exact(name, nodeNamesOf(name, 1, 2, 3), true)
	if _, err := s.herd.Scale(ctx, name, cluster.ScaleRequest{HostGroup: "slaves", Count: 4}, nil); err != nil {
		t.Fatalf("scale up through faults: %v", err)
	}
	s.exact(name, nodeNamesOf(name, 1, 2, 3, 4, 5), true)
	if _, err := s.herd.Scale(ctx, name, cluster.ScaleRequest{HostGroup: "slaves", Count: 1}, nil); err != nil {
		t.Fatalf("scale down through faults: %v", err)
	}
	s.exact(name, nodeNamesOf(name, 1, 2), true)
	retried := s.retriedActivities(cluster.WorkflowID(name))
	if _, err := s.herd.Terminate(ctx, name, cluster.ReleaseInput{}); err != nil {
		t.Fatalf("terminate through faults: %v", err)
	}
	if left := s.leftovers(name); left != "" {
		t.Fatalf("terminate left %s", left)
	}
	faults := proxy.Faults()
	for _, k := range []string{faultproxy.Status500, faultproxy.ResetBefore, faultproxy.Delay, faultproxy.ResetAfter} {
		if faults[k] == 0 {
			t.Errorf("no %q fault was dealt: %v", k, faults)
		}
	}
	if len(retried) == 0 {
		t.Fatal("no activity was retried: the faults must show as attempts in the history")
	}
	t.Logf("faults dealt %v; retried activities %v", faults, retried)
}

// retriedActivities are the activities of a history that took more than
// one attempt, with their attempts.
func (s *stack) retriedActivities(id string) map[string]int32 {
	out := map[string]int32{}
	names := map[int64]string{}
	for _, e := range s.history(id).Events {
		if a := e.GetActivityTaskScheduledEventAttributes(); a != nil {
			names[e.EventId] = a.ActivityType.GetName()
		}
		if a := e.GetActivityTaskStartedEventAttributes(); a != nil && a.Attempt > 1 {
			out[names[a.ScheduledEventId]] = max(out[names[a.ScheduledEventId]], a.Attempt)
		}
	}
	return out
}
