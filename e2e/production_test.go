//go:build production

package e2e

import (
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/codec"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/secrets"
)

// TestOnARealTemporalCluster runs herd as production does (make
// production): PostgreSQL, two Temporal server processes in one cluster,
// two slim herd workers in processes of their own, the namespace made by
// `herd setup`. Five clusters are provisioned at once; mid-way one
// Temporal server process and one worker are killed (-9). Every cluster
// must end ready with exactly its nodes; then one is scaled, all are
// terminated, and nothing is left.
func TestOnARealTemporalCluster(t *testing.T) {
	p := dockertest.Provider(t)
	dir := t.TempDir()
	tc := startTemporalCluster(t, dir)
	herd := goBuild(t, dir, "herd", "./cmd/herd", "CGO_ENABLED=0")
	s := productionStack(t)
	s.p, s.image = p, dockertest.NodeImage(t, p.Client)

	conn := []string{"--address", tc.a.addr, "--namespace", "herd", "--secret-file", s.keyFile}
	out, err := exec.Command(herd, append([]string{"setup", "--retention", "24h"}, conn...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "namespace herd is ready for herd (created: true") {
		t.Fatalf("herd setup: %v\n%s", err, out)
	}
	s.dialProduction(tc.a.addr, "herd")
	before := s.herdResources()
	w1 := startProc(t, dir, "worker-1", exec.Command(herd, append([]string{"worker"}, conn...)...))
	w2 := startProc(t, dir, "worker-2", exec.Command(herd, append([]string{"worker"}, conn...)...))

	names := []string{"prod-1", "prod-2", "prod-3", "prod-4", "prod-5"}
	for _, name := range names {
		dockertest.Release(t, p, name)
		if err := s.herd.Create(context.Background(), s.spec(name, 3)); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	s.waitContainers(names, 5)
	tc.b.kill()
	w1.kill()
	t.Logf("killed Temporal server %s and %s mid-way", tc.b.ip, w1.name)

	s.waitAllProvisioned(names, 8*time.Minute)
	for _, name := range names {
		s.checkSize(name, 3)
	}
	out, err = exec.Command(herd, append([]string{"cluster", "list"}, conn...)...).CombinedOutput()
	for _, name := range names {
		if err != nil || !strings.Contains(string(out), name) {
			t.Fatalf("herd cluster list lacks %s: %v\n%s", name, err, out)
		}
	}
	s.scale("prod-1", 3, 4)
	for _, name := range names {
		if _, err := s.herd.Terminate(context.Background(), name, cluster.ReleaseInput{}); err != nil {
			t.Fatalf("terminate %s: %v", name, err)
		}
		if left := s.leftovers(name); left != "" {
			t.Fatalf("terminate %s left %s", name, left)
		}
	}
	if left := s.madeSince(before); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
	w2.stopGracefully(t)
}

// productionStack is a stack with a fresh master key and no server yet.
func productionStack(t *testing.T) *stack {
	master, _ := secrets.Generate()
	cd, err := codec.New(secrets.KeyFile{Master: master})
	if err != nil {
		t.Fatal(err)
	}
	keyFile := t.TempDir() + "/master.key"
	if err := (secrets.KeyFile{Master: master}).Write(keyFile); err != nil {
		t.Fatal(err)
	}
	return &stack{t: t, master: master, codec: cd, keyFile: keyFile}
}

// waitContainers waits until the clusters have at least n containers in
// all: provisioning is under way.
func (s *stack) waitContainers(names []string, n int) {
	s.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		have := 0
		for _, name := range names {
			c, _ := s.p.Containers(context.Background(), name)
			have += len(c)
		}
		if have >= n {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.t.Fatalf("the clusters never had %d containers", n)
}

// waitAllProvisioned waits for every cluster at once.
func (s *stack) waitAllProvisioned(names []string, timeout time.Duration) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.herd.WaitProvisioned(ctx, name, nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			s.t.Errorf("%s: %v", names[i], err)
		}
	}
	if s.t.Failed() {
		s.t.FailNow()
	}
}
