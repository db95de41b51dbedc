// Package dockertest gives tests the real Docker engine and the node image.
// With CI=true a missing engine fails the test instead of skipping it.
package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/freeport"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/providers/docker"
)

// Image is the tag tests build the node image under.
const Image = "herd-node:test"

// Provider returns a docker provider on the local engine, or skips (fails
// under CI=true) when no engine answers.
func Provider(t testing.TB) *docker.Provider {
	t.Helper()
	p, err := docker.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = p.Client.Ping(ctx)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but no Docker engine answers: %v", err)
		}
		t.Skipf("no Docker engine: %v", err)
	}
	return p
}

var (
	buildOnce sync.Once
	buildErr  error
)

// NodeImage builds the node image from this checkout once per test binary.
func NodeImage(t testing.TB, cli *client.Client) string {
	t.Helper()
	buildOnce.Do(func() { buildErr = buildImage(cli) })
	if buildErr != nil {
		t.Fatalf("build node image: %v", buildErr)
	}
	return Image
}

func buildImage(cli *client.Client) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "herd-image")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "herd-node")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/herd-node")
	cmd.Dir, cmd.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build herd-node: %v\n%s", err, out)
	}
	ctxTar, err := tarContext(filepath.Join(root, "deploy", "node.Dockerfile"), bin)
	if err != nil {
		return err
	}
	resp, err := cli.ImageBuild(context.Background(), ctxTar, build.ImageBuildOptions{Tags: []string{Image}, Remove: true})
	if err != nil {
		return fmt.Errorf("docker build: %w", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if bytes.Contains(out, []byte(`"error"`)) {
		return fmt.Errorf("docker build: %s", out)
	}
	return nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

func tarContext(dockerfile, binary string) (io.Reader, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, path := range map[string]string{"Dockerfile": dockerfile, "herd-node": binary} {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(b))}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(b); err != nil {
			return nil, err
		}
	}
	return &buf, tw.Close()
}

// Release removes a cluster's containers and network when the test ends.
func Release(t testing.TB, p *docker.Provider, clusterName string) {
	t.Cleanup(func() {
		if _, err := p.Release(context.Background(), cluster.Target{Provider: "docker", Cluster: clusterName}); err != nil {
			t.Errorf("release %s: %v", clusterName, err)
		}
	})
}

// Exec runs a command in a container through the Docker API and returns
// its combined output; a non-zero exit is an error.
func Exec(ctx context.Context, p *docker.Provider, containerName string, cmd ...string) (string, error) {
	ex, err := p.Client.ContainerExecCreate(ctx, containerName, container.ExecOptions{Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return "", fmt.Errorf("exec in %s: %w", containerName, err)
	}
	att, err := p.Client.ContainerExecAttach(ctx, ex.ID, container.ExecAttachOptions{})
	if err != nil {
		return "", fmt.Errorf("attach exec in %s: %w", containerName, err)
	}
	defer att.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, att.Reader); err != nil {
		return "", fmt.Errorf("read exec output: %w", err)
	}
	res, err := p.Client.ContainerExecInspect(ctx, ex.ID)
	if err != nil {
		return "", fmt.Errorf("inspect exec: %w", err)
	}
	text := strings.TrimSpace(out.String())
	if res.ExitCode != 0 {
		return text, fmt.Errorf("%v in %s exited %d: %s", cmd, containerName, res.ExitCode, text)
	}
	return text, nil
}

// FreeAddr returns a free 127.0.0.1:port for a node running in the host's
// network.
func FreeAddr(t testing.TB) string {
	t.Helper()
	addrs, err := freeport.Addrs("127.0.0.1", 1)
	if err != nil {
		t.Fatal(err)
	}
	return addrs[0]
}

// HostNodeConfig is the configuration of a server node in the host's
// network, every port free; health is where its health endpoint listens.
func HostNodeConfig(t testing.TB, fqdn string) (cfg contract.Config, health string) {
	addrs, err := freeport.Addrs("127.0.0.1", 6) // distinct: held open until all are found
	if err != nil {
		t.Fatal(err)
	}
	cfg = contract.DefaultConfig()
	cfg.Role, cfg.NodeName, cfg.Dev = contract.RoleServer, fqdn, true
	cfg.Ambari.APIAddr, cfg.SerfRPCAddr, cfg.HealthAddr = addrs[0], addrs[1], addrs[2]
	cfg.SerfBind, cfg.DNSAddr, cfg.Ambari.AgentAddr = addrs[3], addrs[4], addrs[5]
	_, agentPort, _ := net.SplitHostPort(cfg.Ambari.AgentAddr)
	cfg.Ambari.AgentPort, _ = strconv.Atoi(agentPort)
	cfg.Ambari.StatePath = "/tmp/emulator.json"
	return cfg, cfg.HealthAddr
}

// WaitHealthy waits until a node's health endpoint says healthy.
func WaitHealthy(t testing.TB, addr string) {
	t.Helper()
	var h struct {
		Healthy bool `json:"healthy"`
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := poll.Until(ctx, 500*time.Millisecond, func(context.Context) (bool, error) {
		if resp, err := http.Get("http://" + addr + "/health"); err == nil {
			_ = json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
		}
		return h.Healthy, nil
	})
	if err != nil {
		t.Fatalf("node at %s never became healthy", addr)
	}
}

// Socket is the local engine's unix socket (DOCKER_HOST's, or the default).
func Socket() string {
	if sock, ok := strings.CutPrefix(os.Getenv("DOCKER_HOST"), "unix://"); ok {
		return sock
	}
	return "/var/run/docker.sock"
}
