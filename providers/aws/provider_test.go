package aws

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/secrets"
)

// engineProxy stands for an instance's Docker engine with TLS: a TLS
// listener with a certificate of its own (as a host makes at boot), which
// trusts herd's clients by the cluster's CA, in front of the local engine's
// socket. It returns its port and its certificate's fingerprint.
func engineProxy(t *testing.T, m secrets.Master, clusterName string) (int, string) {
	d, err := m.DockerTLS(clusterName)
	if err != nil {
		t.Fatal(err)
	}
	cert, pin := dockertest.EngineCert(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", d.EngineConfig(cert))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	sock := dockertest.Socket()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("unix", sock)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { _, _ = io.Copy(up, c) }()
				_, _ = io.Copy(c, up)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, pin
}

// TestProviderOnEC2AndDockerOverTLS runs the whole provider: instances
// launched on the EC2 test server with the host cloud-config as user data,
// the engine reached over TLS with the cluster's certificates, the node's
// container started in the host's network, then removed and released.
func TestProviderOnEC2AndDockerOverTLS(t *testing.T) {
	local := dockertest.Provider(t)
	image := dockertest.NodeImage(t, local.Client)
	f, url := newFakeEC2(t)
	f.ip = "127.0.0.1"
	master, _ := secrets.Generate()
	p := New(master, slog.New(slog.NewTextHandler(io.Discard, nil)))
	port, pin := engineProxy(t, master, "awsc")
	p.DockerPort = port
	spec := cluster.Target{Cluster: "awsc", Provider: "aws", Image: image, Domain: "herd.test",
		Options: map[string]string{"region": "eu-central-1", "endpoint": url, "ami": "ami-good1"}, Launch: "run1/1"}
	dockertest.Release(t, local, spec.Cluster)
	node := cluster.Node{Index: 1, Name: "awsc-1", FQDN: "awsc-1.herd.test", Role: contract.RoleServer, HostGroup: "master"}
	ctx := context.Background()
	insts, err := p.Allocate(ctx, spec, []cluster.Node{node})
	if err != nil {
		t.Fatal(err)
	}
	ud, _ := base64.StdEncoding.DecodeString(f.instances[insts[0].ID].userData)
	if !strings.HasPrefix(string(ud), "#cloud-config") || !strings.Contains(string(ud), `"tlsverify": true`) || !strings.Contains(string(ud), `[docker, pull, "`+image+`"]`) ||
		strings.Contains(string(ud), "PRIVATE KEY") {
		t.Fatalf("user data is not the host cloud-config, or carries a key:\n%s", ud)
	}
	f.boot(insts[0].ID, pin)
	bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := p.SetUpHosts(bctx, spec, []cluster.Node{node}, insts); err != nil {
		t.Fatal(err)
	}
	cfg, health := dockertest.HostNodeConfig(t, node.FQDN)
	info, err := p.StartNode(ctx, providers.StartRequest{Target: spec, Node: node, Instance: insts[0], Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if info.IP != "127.0.0.1" || info.AmbariURL != "http://"+cfg.Ambari.APIAddr {
		t.Fatalf("node info: %+v", info)
	}
	dockertest.WaitHealthy(t, health)
	if got := f.byNode("awsc-1").tags[TagEnginePin]; got != pin {
		t.Fatalf("the engine's pin must be kept as a tag: %q", got)
	}
	f.mu.Lock()
	f.console = map[string]string{} // consoles scroll away: the tag is what later steps use
	f.mu.Unlock()
	rel, err := p.RemoveNodes(ctx, spec, []cluster.Node{node})
	if err != nil || rel.Instances != 1 || f.live("awsc") != 0 {
		t.Fatalf("remove: %+v %v, %d live", rel, err, f.live("awsc"))
	}
	c, err := local.Client.ContainerInspect(ctx, info.ContainerID)
	if err != nil || c.State.Running {
		t.Fatalf("the node's container must be stopped before its instance goes: %v", err)
	}
	if rel, err := p.Release(ctx, spec); err != nil || rel.Instances != 0 {
		t.Fatalf("release after remove: %+v %v", rel, err)
	}
}

// The readiness probe gives up at once, with the console's last lines, on
// an instance that died, and on one whose cloud-init finished without a
// working engine; and its dials time out.
func TestSetUpNoticesADeadHostOrAFailedCloudInit(t *testing.T) {
	f, url := newFakeEC2(t)
	f.ip = "127.0.0.1"
	master, _ := secrets.Generate()
	p := New(master, slog.New(slog.NewTextHandler(io.Discard, nil)))
	p.DockerPort, p.SetUpGrace = 1, 0 // nothing listens there
	target := cluster.Target{Cluster: "dead", Provider: "aws", Image: "img",
		Options: map[string]string{"region": "eu-central-1", "endpoint": url, "ami": "ami-good1"}, Launch: "r/1"}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	insts, err := p.Allocate(ctx, target, nodes(2))
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.instances[insts[0].ID].state, f.instances[insts[0].ID].reason = "terminated", "Server.SpotInstanceTermination"
	f.console[insts[0].ID] = "boot\nkernel panic"
	f.console[insts[1].ID] = "Cloud-init v. 23.1 running 'modules:final'\nE: Unable to locate package docker.io\nCloud-init v. 23.1 finished at Mon, 01 Dec 2026 10:00:00 +0000"
	f.mu.Unlock()
	err = p.SetUpHosts(ctx, target, nodes(1), insts[:1])
	if _, ok := providers.AsPermanent(err); !ok || !strings.Contains(err.Error(), "is terminated: Server.SpotInstanceTermination") || !strings.Contains(err.Error(), "kernel panic") {
		t.Fatalf("a dead instance: %v", err)
	}
	err = p.SetUpHosts(ctx, target, nodes(1), insts[1:])
	if _, ok := providers.AsPermanent(err); !ok || !strings.Contains(err.Error(), "cloud-init finished") || !strings.Contains(err.Error(), "Unable to locate package docker.io") {
		t.Fatalf("a failed cloud-init: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the probe must not wait for the deadline")
	}
}
