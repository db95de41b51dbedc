package docker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/providers"
)

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprintf("127.0.0.1:%d", l.Addr().(*net.TCPAddr).Port)
}

// TestHostNetworkNode starts a node the way a cloud instance runs it: in
// the host's network, reached at the instance's address, advertising it,
// finding its Ambari server by name through its own DNS.
func TestHostNetworkNode(t *testing.T) {
	p := dockertest.Provider(t)
	p.HostNetwork = true
	spec := cluster.Spec{Name: "hostnet", Image: dockertest.NodeImage(t, p.Client), Domain: "herd.test"}
	dockertest.Release(t, p, spec.Name)
	agent, health := freePort(t), freePort(t)
	_, agentPort, _ := net.SplitHostPort(agent)
	env := map[string]string{
		"AMBARI_ROLE": "server", "HERD_NODE_NAME": "hostnet-1.herd.test", "HERD_MODE": "dev",
		"AMBARI_API_ADDR": freePort(t), "SERF_RPC_ADDR": freePort(t), "HEALTH_ADDR": health, "SERF_BIND": freePort(t),
		"DNS_ADDR": freePort(t), "AMBARI_AGENT_ADDR": agent, "AMBARI_AGENT_PORT": agentPort, "EMU_STATE_FILE": "/tmp/emulator.json",
	}
	node := cluster.Node{Index: 1, Name: "hostnet-1", FQDN: "hostnet-1.herd.test", Role: cluster.RoleServer, HostGroup: "master"}
	info, err := p.StartNode(context.Background(), providers.StartRequest{Spec: spec, Node: node,
		Instance: providers.Instance{Index: 1, Address: "127.0.0.1"}, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if info.IP != "127.0.0.1" || info.AmbariURL != "http://"+env["AMBARI_API_ADDR"] || info.SerfRPC != env["SERF_RPC_ADDR"] {
		t.Fatalf("node info: %+v", info)
	}
	var h struct {
		Healthy bool `json:"healthy"`
	}
	for deadline := time.Now().Add(30 * time.Second); !h.Healthy; time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the host-network node never became healthy")
		}
		if resp, err := http.Get("http://" + health + "/health"); err == nil {
			_ = json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
		}
	}
	c, err := p.Client.ContainerInspect(context.Background(), info.ContainerID)
	if err != nil || string(c.HostConfig.NetworkMode) != "host" {
		t.Fatalf("network mode: %v %v", c.HostConfig.NetworkMode, err)
	}
}
