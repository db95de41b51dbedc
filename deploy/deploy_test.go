// Package deploy holds what a team runs herd with (Compose, systemd, the
// images' Dockerfiles); its tests check them with the tools that read them.
package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/herdhq/herd/internal/dockertest"
)

// compose runs docker-compose on compose.yaml with the example settings.
func compose(t *testing.T, env string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("docker-compose"); err != nil {
		t.Fatal("docker-compose is not installed: apt-get install docker-compose (.ci/run does)")
	}
	cmd := exec.Command("docker-compose", append([]string{"-f", "compose.yaml", "--env-file", env}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestComposeFileIsValid: docker-compose accepts the file with the example
// settings, it holds every part of a deployment, with the official images
// for Temporal and PostgreSQL and herd's own for the workers.
func TestComposeFileIsValid(t *testing.T) {
	out, err := compose(t, ".env.example", "config")
	if err != nil {
		t.Fatalf("docker-compose config: %v\n%s", err, out)
	}
	services, err := compose(t, ".env.example", "config", "--services")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"herd-codec", "herd-setup", "herd-worker", "postgresql", "temporal", "temporal-schema", "temporal-ui"}
	got := strings.Fields(services)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("services %v, want %v", got, want)
	}
	for _, image := range []string{"image: postgres:16", "image: temporalio/server:1.32.1", "image: temporalio/admin-tools:1.32.1",
		"image: temporalio/ui:2.55.0", "image: herd-worker:dev", "replicas: 2", "TEMPORAL_ADDRESS: temporal:7233", "HERD_SECRET_FILE: /run/secrets/herd-master-key"} {
		if !strings.Contains(out, image) {
			t.Errorf("the rendered file lacks %q", image)
		}
	}
}

// TestComposeRefusesMissingSecrets: without a database password or codec
// token, docker-compose stops with the setting to add.
func TestComposeRefusesMissingSecrets(t *testing.T) {
	env := t.TempDir() + "/.env"
	if err := os.WriteFile(env, []byte("POSTGRES_VERSION=16\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := compose(t, env, "config")
	if err == nil || !strings.Contains(out, "set POSTGRES_PASSWORD in deploy/.env") {
		t.Fatalf("want a refusal naming POSTGRES_PASSWORD: %v\n%s", err, out)
	}
}

// TestWorkerEnvNamesSettingsTheWorkerReads: every variable of the systemd
// unit's example environment is one `herd worker` reads.
func TestWorkerEnvNamesSettingsTheWorkerReads(t *testing.T) {
	help, err := exec.Command("go", "run", "../cmd/herd", "worker", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("herd worker --help: %v\n%s", err, help)
	}
	f, err := os.Open("worker.env.example")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, n := bufio.NewScanner(f), 0
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "#")
		name, _, ok := strings.Cut(line, "=")
		if !ok || strings.Contains(name, " ") {
			continue
		}
		n++
		if !strings.Contains(string(help), "("+name+")") {
			t.Errorf("worker.env.example sets %s, which herd worker does not read", name)
		}
	}
	if n < 8 {
		t.Fatalf("read %d settings from worker.env.example", n)
	}
}

// TestWorkerImage: make worker-image builds the slim worker into an image
// under 40 MB that runs and has no Temporal server in it.
func TestWorkerImage(t *testing.T) {
	p := dockertest.Provider(t)
	const tag = "herd-worker:test"
	cmd := exec.Command("make", "worker-image", "WORKER_IMAGE="+tag)
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make worker-image: %v\n%s", err, out)
	}
	img, err := p.Client.ImageInspect(t.Context(), tag)
	if err != nil {
		t.Fatal(err)
	}
	if mb := float64(img.Size) / 1e6; mb >= 40 {
		t.Errorf("worker image is %.1f MB, want under 40", mb)
	} else {
		t.Logf("worker image: %s MB", strconv.FormatFloat(mb, 'f', 1, 64))
	}
	out, err := exec.Command("docker", "run", "--rm", tag, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "no embedded server") {
		t.Fatalf("docker run %s version: %v\n%s", tag, err, out)
	}
}
