package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
	serfclient "github.com/hashicorp/serf/client"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/blueprints"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/membership"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/docker"
)

const (
	rpcAuth  = "node-image-test-token"
	password = "node-image-test-password"
)

var gossipKey = []byte("0123456789abcdef0123456789abcdef")

type imageCluster struct {
	t     *testing.T
	p     *docker.Provider
	spec  cluster.Spec
	nodes []cluster.NodeInfo
}

// startImageCluster starts 1 server + 2 agents from the node image on a
// user-defined network, the way the orchestrator does.
func startImageCluster(t *testing.T) *imageCluster {
	p := dockertest.Provider(t)
	spec, err := blueprints.NewSpec("nodeimg", "multi-node-hdfs-yarn", 3)
	if err != nil {
		t.Fatal(err)
	}
	spec.Image, spec.Domain = dockertest.NodeImage(t, p.Client), "herd.test"
	dockertest.Release(t, p, spec.Name)
	ctx := context.Background()
	if err := p.SetUpHosts(ctx, spec.Target(), nil, nil); err != nil {
		t.Fatal(err)
	}
	c := &imageCluster{t: t, p: p, spec: spec}
	for _, n := range spec.Nodes() {
		cfg := c.config(n, gossipKey)
		cfg.Cluster, cfg.HostGroup, cfg.Ambari.Password = spec.Name, n.HostGroup, password
		cfg.Ambari.HeartbeatTimeout, cfg.Ambari.BeatInterval = 4*time.Second, time.Second
		info, err := p.StartNode(ctx, providers.StartRequest{Target: spec.Target(), Node: n, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		c.nodes = append(c.nodes, info)
	}
	return c
}

// config is what a node of the test cluster is told: its name and role,
// the RPC token and gossip key, the server's IP to join.
func (c *imageCluster) config(n cluster.Node, key []byte) contract.Config {
	cfg := contract.DefaultConfig()
	cfg.Role, cfg.NodeName, cfg.RPCAuthKey, cfg.EncryptKey, cfg.RetryInterval = n.Role, n.FQDN, rpcAuth, key, time.Second
	if !n.IsServer() {
		cfg.JoinAddr = net.JoinHostPort(c.nodes[0].IP, contract.Port(contract.PortSerf))
	}
	return cfg
}

func (c *imageCluster) members(auth string) (map[string]string, error) {
	cl, err := serfclient.ClientFromConfig(&serfclient.Config{Addr: c.nodes[0].SerfRPC, AuthKey: auth})
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	ms, err := cl.Members()
	out := map[string]string{}
	for _, m := range ms {
		out[m.Name] = m.Status
	}
	return out, err
}

// eventually retries check until it passes or the timeout ends.
func eventually(t *testing.T, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (c *imageCluster) resolve(in cluster.NodeInfo, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return dockertest.Exec(ctx, c.p, docker.ContainerName(in.Name), append([]string{"/herd-node", "resolve"}, args...)...)
}

func TestNodeImageCluster(t *testing.T) {
	c := startImageCluster(t)
	c.checkConfined(t)
	eventually(t, 30*time.Second, "three alive members", func() error {
		ms, err := c.members(rpcAuth)
		if err != nil {
			return err
		}
		for _, n := range c.nodes {
			if ms[n.FQDN] != "alive" {
				return fmt.Errorf("members %v", ms)
			}
		}
		return nil
	})
	if _, err := c.members("wrong-token"); err == nil || !strings.Contains(err.Error(), "Invalid authentication token") {
		t.Fatalf("a wrong RPC key must be refused, got %v", err)
	}
	t.Run("stock serf cli", c.checkStockSerfCLI)
	t.Run("health", c.checkHealth)
	t.Run("dns", c.checkDNS)
	t.Run("ambari hosts", c.checkAmbariHosts)
	t.Run("no key no join", c.checkIntruderCannotJoin)
	t.Run("failed node leaves dns", c.checkKilledNode)
	t.Run("sigterm leaves gracefully", c.checkGracefulLeave)
}

// checkGracefulLeave: a node stopped with SIGTERM leaves Serf (status
// "left", not "failed") and its name stops resolving.
func (c *imageCluster) checkGracefulLeave(t *testing.T) {
	leaver := c.nodes[1]
	timeout := 10
	if err := c.p.Client.ContainerStop(context.Background(), leaver.ContainerID, container.StopOptions{Timeout: &timeout}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "leaver reported left", func() error {
		ms, err := c.members(rpcAuth)
		if err == nil && ms[leaver.FQDN] != "left" {
			err = fmt.Errorf("members %v", ms)
		}
		return err
	})
	if out, err := c.resolve(c.nodes[0], leaver.FQDN); err == nil || !strings.Contains(out, "NXDOMAIN") {
		t.Fatalf("a node that left must not resolve: %q %v", out, err)
	}
}

// checkDNS: every node resolves every other node's FQDN and short name
// through its own 127.0.0.1 DNS, and the reverse PTR.
func (c *imageCluster) checkDNS(t *testing.T) {
	for _, from := range c.nodes {
		for _, to := range c.nodes {
			for _, name := range []string{to.FQDN, to.Name} {
				eventually(t, 20*time.Second, fmt.Sprintf("%s resolves %s", from.Name, name), func() error {
					ip, err := c.resolve(from, name)
					if err == nil && ip != to.IP {
						err = fmt.Errorf("got %s, want %s", ip, to.IP)
					}
					return err
				})
			}
			ptr, err := c.resolve(from, "--type", "PTR", to.IP)
			if err != nil || ptr != to.FQDN+"." {
				t.Errorf("%s: PTR %s = %q (%v), want %s.", from.Name, to.IP, ptr, err, to.FQDN)
			}
		}
		// Other names go upstream: Docker's embedded resolver knows container names.
		if ip, err := c.resolve(from, docker.ContainerName(c.nodes[1].Name)); err != nil || ip != c.nodes[1].IP {
			t.Errorf("%s: forwarded lookup of a container name: %q %v", from.Name, ip, err)
		}
		if out, err := c.resolve(from, "nobody."+c.spec.Domain); err == nil || !strings.Contains(out, "NXDOMAIN") {
			t.Errorf("%s: unknown name must be NXDOMAIN, got %q %v", from.Name, out, err)
		}
	}
}

// checkAmbariHosts: the agents found the server by name and registered.
func (c *imageCluster) checkAmbariHosts(t *testing.T) {
	cl := ambari.NewClient(c.nodes[0].AmbariURL, "admin", password)
	eventually(t, 30*time.Second, "all hosts registered", func() error {
		hosts, err := cl.Hosts(context.Background())
		if err != nil {
			return err
		}
		got := map[string]string{}
		for _, h := range hosts {
			got[h.HostName] = h.IP
		}
		for _, n := range c.nodes {
			if got[n.FQDN] != n.IP {
				return fmt.Errorf("hosts %v", got)
			}
		}
		return nil
	})
	if _, err := ambari.NewClient(c.nodes[0].AmbariURL, "admin", "admin").Hosts(context.Background()); !ambari.HasStatus(err, 403) {
		t.Fatalf("admin/admin must not work outside dev mode: %v", err)
	}
}

// checkIntruderCannotJoin: a node without the gossip key never becomes a
// member, while a node with it, started at the same moment the same way,
// does (the positive control: joining works in that window).
func (c *imageCluster) checkIntruderCannotJoin(t *testing.T) {
	intruder := c.spec.NewNode(9, "slaves")
	control := c.spec.NewNode(8, "slaves")
	for _, n := range []struct {
		node cluster.Node
		key  []byte
	}{{intruder, nil}, {control, gossipKey}} {
		req := providers.StartRequest{Target: c.spec.Target(), Node: n.node, Config: c.config(n.node, n.key)}
		if _, err := c.p.StartNode(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		defer c.p.RemoveNodes(context.Background(), c.spec.Target(), []cluster.Node{n.node}) // the control leaves Serf
	}
	eventually(t, 30*time.Second, "the control node joins", func() error {
		ms, err := c.members(rpcAuth)
		if err == nil && ms[control.FQDN] != "alive" {
			err = fmt.Errorf("members %v", ms)
		}
		return err
	})
	ms, err := c.members(rpcAuth)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ms[intruder.FQDN]; ok {
		t.Fatalf("a node without the gossip key joined: %v", ms)
	}
}

// checkKilledNode: a killed agent is reported failed, its name stops
// resolving on the others, and Ambari shows HEARTBEAT_LOST.
func (c *imageCluster) checkKilledNode(t *testing.T) {
	victim := c.nodes[2]
	if err := c.p.Client.ContainerKill(context.Background(), victim.ContainerID, "KILL"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "victim reported failed", func() error {
		ms, err := c.members(rpcAuth)
		if err == nil && ms[victim.FQDN] != "failed" {
			err = fmt.Errorf("members %v", ms)
		}
		return err
	})
	for _, from := range c.nodes[:2] {
		eventually(t, 10*time.Second, from.Name+" forgets "+victim.Name, func() error {
			if out, err := c.resolve(from, victim.FQDN); err == nil || !strings.Contains(out, "NXDOMAIN") {
				return fmt.Errorf("still resolves: %q %v", out, err)
			}
			return nil
		})
	}
	cl := ambari.NewClient(c.nodes[0].AmbariURL, "admin", password)
	eventually(t, 20*time.Second, "HEARTBEAT_LOST", func() error {
		hosts, err := cl.Hosts(context.Background())
		for _, h := range hosts {
			if h.HostName == victim.FQDN && h.HostState != "HEARTBEAT_LOST" {
				return fmt.Errorf("%s is %s", h.HostName, h.HostState)
			}
		}
		return err
	})
}

// checkStockSerfCLI: Debian's serf binary talks to our nodes' RPC.
func (c *imageCluster) checkStockSerfCLI(t *testing.T) {
	bin, err := exec.LookPath("serf")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the serf CLI is not installed; .ci/run installs it with apt-get")
		}
		t.Skip("serf CLI not installed (apt-get install serf)")
	}
	out, err := exec.Command(bin, "members", "-rpc-addr="+c.nodes[0].SerfRPC, "-rpc-auth="+rpcAuth, "-status=alive").CombinedOutput()
	if err != nil || strings.Count(string(out), " alive ") != 3 || !strings.Contains(string(out), contract.TagServer+"=true") {
		t.Fatalf("serf members: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "members", "-rpc-addr="+c.nodes[0].SerfRPC, "-rpc-auth=wrong").CombinedOutput(); err == nil {
		t.Fatalf("serf CLI with a wrong key must fail:\n%s", out)
	}
	c.checkStockSerfQuery(t, bin)
}

// checkStockSerfQuery: `serf query herd-facts` gets from every node the
// answer herd's own client gets.
func (c *imageCluster) checkStockSerfQuery(t *testing.T, bin string) {
	out, err := exec.Command(bin, "query", "-rpc-addr="+c.nodes[0].SerfRPC, "-rpc-auth="+rpcAuth, "-format=json", "-timeout=3s", contract.QueryFacts).Output()
	var stock struct{ Responses map[string]string }
	if err != nil || json.Unmarshal(out, &stock) != nil {
		t.Fatalf("serf query: %v\n%s", err, out)
	}
	// Serf's RPC server may stream an empty answer, from no node, as the
	// query closes (membership.Ask drops those); the stock CLI shows it.
	delete(stock.Responses, "")
	asked, err := membership.Ask(c.nodes[0].SerfRPC, rpcAuth, contract.QueryFacts, 3*time.Second)
	if err != nil || len(asked.Answers) != len(c.nodes) || len(stock.Responses) != len(c.nodes) {
		t.Fatalf("every node must answer both: stock %v, herd %+v %v", stock.Responses, asked, err)
	}
	for _, a := range asked.Answers {
		var mine, theirs contract.Facts
		if json.Unmarshal(a.Payload, &mine) != nil || json.Unmarshal([]byte(stock.Responses[a.Node]), &theirs) != nil {
			t.Fatalf("%s: answers do not decode: %q / %q", a.Node, a.Payload, stock.Responses[a.Node])
		}
		if mine.Node != a.Node || theirs.Node != mine.Node || theirs.Role != mine.Role || theirs.Version != mine.Version ||
			len(theirs.Disks) == 0 || theirs.Disks[0].Mount != "/" || theirs.Disks[0].Total != mine.Disks[0].Total {
			t.Errorf("%s: serf query answered %+v, herd's client %+v", a.Node, theirs, mine)
		}
	}
}

// TestBadConfigExitsWithOneLine starts the image with broken settings: it
// must exit non-zero and say why in one line.
func TestBadConfigExitsWithOneLine(t *testing.T) {
	p := dockertest.Provider(t)
	image := dockertest.NodeImage(t, p.Client)
	name, agent := contract.EnvNodeName+"=a.herd.test", contract.EnvRole+"=agent"
	cases := map[string][]string{
		contract.EnvRole + " is not set":                  {name},
		contract.EnvJoinIP + `="10.0.0.1.5" is not an IP`: {agent, name, contract.EnvJoinIP + "=10.0.0.1.5"},
		"gossip encryption key is 3 bytes":                {agent, name, contract.EnvEncryptKey + "=YWJj"},
	}
	for want, env := range cases {
		code, logs := runToExit(t, p, image, env)
		lines := strings.Split(strings.TrimSpace(logs), "\n")
		if code == 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "herd-node: ") || !strings.Contains(lines[0], want) {
			t.Errorf("%v: exit %d, output %q; want one line containing %q", env, code, logs, want)
		}
	}
}

func runToExit(t *testing.T, p *docker.Provider, image string, env []string) (int64, string) {
	ctx := context.Background()
	c, err := p.Client.ContainerCreate(ctx, &container.Config{Image: image, Env: env}, nil, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Client.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
	if err := p.Client.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	waitCh, errCh := p.Client.ContainerWait(ctx, c.ID, container.WaitConditionNotRunning)
	var code int64
	select {
	case res := <-waitCh:
		code = res.StatusCode
	case err := <-errCh:
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		t.Fatal("container did not exit")
	}
	rc, err := p.Client.ContainerLogs(ctx, c.ID, container.LogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out strings.Builder
	if _, err := stdcopy.StdCopy(&out, &out, rc); err != nil {
		t.Fatal(err)
	}
	return code, out.String()
}

// checkHealth: `herd-node health` reports every part (the command the
// image's HEALTHCHECK runs for containers started by hand), and herd's own
// containers run without Docker's periodic check: herd watches them through
// Serf, and each check is an exec costing the node and the engine CPU.
func (c *imageCluster) checkHealth(t *testing.T) {
	for _, n := range c.nodes {
		eventually(t, 30*time.Second, n.Name+" healthy", func() error {
			out, err := dockertest.Exec(context.Background(), c.p, docker.ContainerName(n.Name), "/herd-node", "health")
			if err == nil && (!strings.Contains(out, `"alive": 3`) || !strings.Contains(out, `"registered": true`)) {
				err = fmt.Errorf("health: %s", out)
			}
			return err
		})
		ci, err := c.p.Client.ContainerInspect(context.Background(), n.ContainerID)
		if err != nil {
			t.Fatal(err)
		}
		if hc := ci.Config.Healthcheck; hc == nil || !slices.Equal(hc.Test, []string{"NONE"}) || ci.State.Health != nil {
			t.Errorf("%s: Docker health check %+v, state %+v; want it off", n.Name, hc, ci.State.Health)
		}
	}
	img, err := c.p.Client.ImageInspect(context.Background(), c.spec.Image)
	if err != nil {
		t.Fatal(err)
	}
	if hc := img.Config.Healthcheck; hc == nil || !slices.Equal(hc.Test, []string{"CMD", "/herd-node", "health"}) {
		t.Errorf("image %s HEALTHCHECK %+v; want /herd-node health for containers run by hand", c.spec.Image, hc)
	}
}

// checkConfined: node containers run with least privilege, and the
// cluster above works that way.
func (c *imageCluster) checkConfined(t *testing.T) {
	for _, n := range c.nodes {
		in, err := c.p.Client.ContainerInspect(context.Background(), n.ContainerID)
		if err != nil {
			t.Fatal(err)
		}
		h := in.HostConfig
		if fmt.Sprint(h.CapDrop) != "[ALL]" || !slices.ContainsFunc(h.CapAdd, func(c string) bool { return strings.TrimPrefix(c, "CAP_") == "NET_BIND_SERVICE" }) || len(h.CapAdd) != 1 || !h.ReadonlyRootfs ||
			fmt.Sprint(h.SecurityOpt) != "[no-new-privileges:true]" {
			t.Fatalf("%s is not confined: drop %v add %v read-only %v security %v", n.Name, h.CapDrop, h.CapAdd, h.ReadonlyRootfs, h.SecurityOpt)
		}
	}
}
