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

	serfclient "github.com/hashicorp/serf/client"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/internal/imdstest"
	"github.com/herdhq/herd/internal/poll"
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

// TestProviderOnEC2AndDockerOverTLS runs the whole provider: a spot
// instance launched on the EC2 test server with the host cloud-config as
// user data, the engine reached over TLS with the cluster's certificates,
// the node's container started in the host's network, telling Serf of its
// interruption notice when the metadata service gives it, then removed and
// released.
func TestProviderOnEC2AndDockerOverTLS(t *testing.T) {
	local := dockertest.Provider(t)
	image := dockertest.NodeImage(t, local.Client)
	f, url := newFakeEC2(t)
	f.ip = "127.0.0.1"
	master, _ := secrets.Generate()
	p := New(master, slog.New(slog.NewTextHandler(io.Discard, nil)))
	port, pin := engineProxy(t, master, "awsc")
	p.DockerPort = port
	metadata := imdstest.Start(t)
	p.IMDS = metadata.URL
	spec := cluster.Target{Cluster: "awsc", Provider: "aws", Image: image, Domain: "herd.test",
		Options: map[string]string{"region": "eu-central-1", "endpoint": url, "ami": "ami-good1", "spot": "true"}, Launch: "run1/1"}
	dockertest.Release(t, local, spec.Cluster)
	node := cluster.Node{Index: 1, Name: "awsc-1", FQDN: "awsc-1.herd.test", Role: contract.RoleServer, HostGroup: "master"}
	ctx := context.Background()
	insts, err := p.Allocate(ctx, spec, []cluster.Node{node})
	if err != nil {
		t.Fatal(err)
	}
	ud, _ := base64.StdEncoding.DecodeString(f.instances[insts[0].ID].userData)
	if !strings.HasPrefix(string(ud), "#cloud-config") || !strings.Contains(string(ud), `"tlsverify": true`) || !strings.Contains(string(ud), `[docker, pull, "`+image+`"]`) ||
		strings.Contains(string(ud), "PRIVATE KEY") || !strings.Contains(string(ud), contract.EnvSpotNotice+"="+metadata.URL) {
		t.Fatalf("user data is not the host cloud-config, or carries a key:\n%s", ud)
	}
	if !f.byNode("awsc-1").spot {
		t.Fatal("spot=true must launch on spot")
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
	waitInterruption(t, cfg, metadata)
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

// waitInterruption checks that the node reads the metadata service and
// tells nothing, then, given the notice, tells Serf of it.
func waitInterruption(t *testing.T, cfg contract.Config, metadata *imdstest.Server) {
	t.Helper()
	cl, err := serfclient.ClientFromConfig(&serfclient.Config{Addr: cfg.SerfRPCAddr, AuthKey: cfg.RPCAuthKey})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	tag := func() string {
		ms, err := cl.Members()
		if err != nil || len(ms) != 1 {
			t.Fatalf("serf members: %v %v", ms, err)
		}
		return ms[0].Tags[contract.TagInterruption]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := poll.Until(ctx, 100*time.Millisecond, func(context.Context) (bool, error) { return metadata.Reads() > 0, nil }); err != nil {
		t.Fatalf("the node never read the metadata service: %v", err)
	}
	if got := tag(); got != "" {
		t.Fatalf("interrupted before any notice: %q", got)
	}
	metadata.Interrupt("terminate", "2026-12-01T21:30:00Z")
	if err := poll.Until(ctx, 200*time.Millisecond, func(context.Context) (bool, error) { return tag() != "", nil }); err != nil {
		t.Fatalf("the node never told its notice: %v", err)
	}
	if got := tag(); got != "terminate 2026-12-01T21:30:00Z" {
		t.Fatalf("interruption tag: %q", got)
	}
}

// Spot is per host group; a node once interrupted is on-demand since, and
// only spot nodes watch for the notice.
func TestSpotPerHostGroupUntilInterrupted(t *testing.T) {
	f, url := newFakeEC2(t)
	master, _ := secrets.Generate()
	p := New(master, slog.New(slog.NewTextHandler(io.Discard, nil)))
	target := cluster.Target{Cluster: "c1", Provider: "aws", Image: "img",
		Options: map[string]string{"region": "eu-central-1", "endpoint": url, "ami": "ami-good1", "spot-host-groups": "slaves"}, Launch: "r/1"}
	ns := nodes(3)
	ns[0].HostGroup, ns[1].HostGroup, ns[2].HostGroup = "master", "slaves", "slaves"
	ns[2].OnDemand = true
	if _, err := p.Allocate(context.Background(), target, ns); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{false, true, false} {
		inst := f.byNode(ns[i].Name)
		ud, _ := base64.StdEncoding.DecodeString(inst.userData)
		if inst.spot != want || strings.Contains(string(ud), contract.EnvSpotNotice) != want {
			t.Errorf("%s (%s, on-demand %v): spot %v, watches the notice %v; want %v", ns[i].Name, ns[i].HostGroup, ns[i].OnDemand,
				inst.spot, strings.Contains(string(ud), contract.EnvSpotNotice), want)
		}
	}
}
