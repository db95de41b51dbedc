// Package inproc is a provider for tests that runs each node's herd-node
// in the test's own process, on 127.0.0.1 with free ports: real Serf, real
// DNS, the real Ambari emulator and agents registering over the network,
// without a Docker engine. It is a test double, not a place to run
// clusters.
package inproc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sort"
	"strconv"
	"sync"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/freeport"
	"github.com/herdhq/herd/node"
	"github.com/herdhq/herd/providers"
)

// Provider runs nodes in this process.
type Provider struct {
	// StateDir holds each server's emulator state, so that a restarted
	// server keeps it.
	StateDir string
	Logger   *slog.Logger

	mu    sync.Mutex
	nodes map[string]*proc // by node name
	// slots keep each node name's addresses, as a container name keeps
	// its ports in its network: a replacement listens where the node did.
	slots map[string]contract.Config
}

type proc struct {
	cluster string
	node    *node.Node // nil when stopped or killed
	cfg     contract.Config
	info    cluster.NodeInfo
}

// New returns a provider keeping server state under stateDir.
func New(stateDir string) *Provider {
	return &Provider{StateDir: stateDir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), nodes: map[string]*proc{}, slots: map[string]contract.Config{}}
}

// Schema describes the provider: it takes no options.
func (p *Provider) Schema() providers.Schema {
	return providers.Schema{Name: "inproc", Summary: "herd-node in the test's process (tests only)"}
}

// Allocate returns one slot per node, named after it.
func (p *Provider) Allocate(_ context.Context, _ cluster.Target, nodes []cluster.Node) ([]cluster.Instance, error) {
	out := make([]cluster.Instance, len(nodes))
	for i, n := range nodes {
		out[i] = cluster.Instance{ID: "inproc/" + n.Name, Index: n.Index, Address: "127.0.0.1"}
	}
	return out, nil
}

// SetUpHosts has nothing to set up.
func (p *Provider) SetUpHosts(context.Context, cluster.Target, []cluster.Node, []cluster.Instance) error {
	return nil
}

// StartNode starts the node, or adopts it when it runs with the same join
// address; the server's addresses are kept across restarts, as a
// container's name is.
func (p *Provider) StartNode(ctx context.Context, req providers.StartRequest) (cluster.NodeInfo, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cfg, err := p.configure(req)
	if err != nil {
		return cluster.NodeInfo{}, err
	}
	pr := p.nodes[req.Node.Name]
	if pr != nil && pr.node != nil && pr.cfg.JoinAddr == cfg.JoinAddr {
		return pr.info, nil
	}
	if pr != nil && pr.node != nil {
		pr.node.Stop()
	}
	n, err := node.Start(context.Background(), cfg, p.Logger.With("node", req.Node.Name))
	if err != nil {
		return cluster.NodeInfo{}, fmt.Errorf("start node %s: %w", req.Node.Name, err)
	}
	info := cluster.NodeInfo{Node: req.Node, ContainerID: "inproc/" + req.Node.Name, IP: "127.0.0.1",
		AmbariURL: "http://" + cfg.Ambari.APIAddr, SerfRPC: cfg.SerfRPCAddr}
	p.nodes[req.Node.Name] = &proc{cluster: req.Target.Cluster, node: n, cfg: cfg, info: info}
	return info, nil
}

// configure gives the node free ports of its own (the same ones again when
// it ran before), and points an agent at its server's gossip and agent
// ports.
func (p *Provider) configure(req providers.StartRequest) (contract.Config, error) {
	env := req.Config.Env() // what a container would be given, read as herd-node reads it
	cfg, err := contract.Load(func(k string) string { return env[k] }, "")
	if err != nil {
		return cfg, fmt.Errorf("node %s: %w", req.Node.Name, err)
	}
	if prev, ok := p.slots[req.Node.Name]; ok {
		cfg.SerfBind, cfg.SerfRPCAddr, cfg.DNSAddr, cfg.HealthAddr = prev.SerfBind, prev.SerfRPCAddr, prev.DNSAddr, prev.HealthAddr
		cfg.Ambari.APIAddr, cfg.Ambari.AgentAddr, cfg.Ambari.StatePath = prev.Ambari.APIAddr, prev.Ambari.AgentAddr, prev.Ambari.StatePath
	} else {
		addrs, err := freeport.Addrs("127.0.0.1", 6)
		if err != nil {
			return cfg, err
		}
		cfg.SerfBind, cfg.SerfRPCAddr, cfg.DNSAddr, cfg.HealthAddr = addrs[0], addrs[1], addrs[2], addrs[3]
		cfg.Ambari.APIAddr, cfg.Ambari.AgentAddr = addrs[4], addrs[5]
		cfg.Ambari.StatePath = filepath.Join(p.StateDir, req.Node.Name, "ambari-emulator.json")
		p.slots[req.Node.Name] = cfg
	}
	cfg.AdvertiseIP = "127.0.0.1"
	server := p.server(req.Target.Cluster)
	switch {
	case req.Node.IsServer():
		cfg.Ambari.AgentPort = port(cfg.Ambari.AgentAddr)
		if cfg.JoinAddr != "" { // a replaced server joins an alive agent
			cfg.JoinAddr = p.anyAgent(req.Target.Cluster)
		}
	case server == nil:
		return cfg, fmt.Errorf("cluster %s has no server running to join", req.Target.Cluster)
	default:
		cfg.JoinAddr = server.cfg.SerfBind
		cfg.Ambari.AgentPort = port(server.cfg.Ambari.AgentAddr)
	}
	return cfg, nil
}

func (p *Provider) server(clusterName string) *proc {
	for _, pr := range p.nodes {
		if pr.cluster == clusterName && pr.cfg.Role == contract.RoleServer && pr.node != nil {
			return pr
		}
	}
	return nil
}

func (p *Provider) anyAgent(clusterName string) string {
	for _, name := range sortedNames(p.nodes) {
		pr := p.nodes[name]
		if pr.cluster == clusterName && pr.cfg.Role == contract.RoleAgent && pr.node != nil {
			return pr.cfg.SerfBind
		}
	}
	return ""
}

func sortedNames(m map[string]*proc) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// StopNodes stops nodes gracefully: they leave Serf.
func (p *Provider) StopNodes(_ context.Context, t cluster.Target, nodes []cluster.Node) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range nodes {
		if pr := p.nodes[n.Name]; pr != nil && pr.cluster == t.Cluster && pr.node != nil {
			pr.node.Stop()
			pr.node = nil
		}
	}
	return nil
}

// RemoveNodes stops nodes gracefully and forgets them.
func (p *Provider) RemoveNodes(ctx context.Context, t cluster.Target, nodes []cluster.Node) (cluster.Released, error) {
	if err := p.StopNodes(ctx, t, nodes); err != nil {
		return cluster.Released{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var rel cluster.Released
	for _, n := range nodes {
		if pr := p.nodes[n.Name]; pr != nil && pr.cluster == t.Cluster {
			delete(p.nodes, n.Name)
			rel.Containers++
			rel.Instances++
		}
	}
	return rel, nil
}

// Release removes every node of the cluster.
func (p *Provider) Release(ctx context.Context, t cluster.Target) (cluster.Released, error) {
	var nodes []cluster.Node
	for _, name := range p.Nodes(t.Cluster) {
		nodes = append(nodes, cluster.Node{Name: name})
	}
	return p.RemoveNodes(ctx, t, nodes)
}

// Kill stops a node the way a crash does: no graceful leave, its peers
// see it fail. It can be started again.
func (p *Provider) Kill(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pr := p.nodes[name]; pr != nil && pr.node != nil {
		pr.node.Kill()
		pr.node = nil
	}
}

// Nodes lists the cluster's nodes, running or not, by name.
func (p *Provider) Nodes(clusterName string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for name, pr := range p.nodes {
		if pr.cluster == clusterName {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Running counts the cluster's running nodes.
func (p *Provider) Running(clusterName string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, pr := range p.nodes {
		if pr.cluster == clusterName && pr.node != nil {
			n++
		}
	}
	return n
}

func port(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}
