package aws

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/docker/docker/client"

	"github.com/herdhq/herd/cloudinit"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/docker"
	"github.com/herdhq/herd/secrets"
)

// Provider runs clusters on EC2: one instance per node, set up by its
// cloud-config (Docker listening with TLS, the node image), the node's
// container started through that engine in the host's network.
type Provider struct {
	Master     secrets.Master
	DockerPort int // where instances' engines listen with TLS (contract.PortDockerTLS)
	Logger     *slog.Logger

	mu      sync.Mutex
	clients map[string]*EC2
}

// New returns the AWS provider.
func New(master secrets.Master, log *slog.Logger) *Provider {
	return &Provider{Master: master, DockerPort: contract.PortDockerTLS, Logger: log, clients: map[string]*EC2{}}
}

// Schema describes the aws provider and checks its options.
func (p *Provider) Schema() providers.Schema { return Schema }

// ec2 is the EC2 client for a target's options (region, endpoint, ...).
func (p *Provider) ec2(ctx context.Context, t cluster.Target) (*EC2, error) {
	o, err := ParseOptions(t.Options)
	if err != nil {
		return nil, providers.Permanent("BadProviderOptions", err)
	}
	key := fmt.Sprintf("%+v", o)
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.clients[key]; ok {
		return e, nil
	}
	e, err := NewEC2(ctx, o, p.Logger)
	if err != nil {
		return nil, err
	}
	p.clients[key] = e
	return e, nil
}

// Allocate launches one instance per node with its rendered cloud-config.
func (p *Provider) Allocate(ctx context.Context, t cluster.Target, nodes []cluster.Node) ([]cluster.Instance, error) {
	e, err := p.ec2(ctx, t)
	if err != nil {
		return nil, err
	}
	docs, err := p.userData(t, nodes)
	if err != nil {
		return nil, err
	}
	return e.Launch(ctx, t.Cluster, nodes, docs)
}

// userData renders each node's host cloud-config: what a cloud instance
// must be given at launch.
func (p *Provider) userData(t cluster.Target, nodes []cluster.Node) ([]string, error) {
	tlsm, err := p.Master.DockerTLS(t.Cluster)
	if err != nil {
		return nil, err
	}
	docs := make([]string, len(nodes))
	for i, n := range nodes {
		cfg := contract.Config{Role: n.Role, NodeName: n.FQDN, Cluster: t.Cluster, HostGroup: n.HostGroup}
		docs[i], err = cloudinit.RenderHost(cloudinit.HostParams{
			Cluster: t.Cluster, Node: n.Name, FQDN: n.FQDN, Role: n.Role, HostGroup: n.HostGroup, Image: t.Image,
			NodeEnv: cloudinit.NodeEnv(cfg),
			CACert:  string(tlsm.CACert), ServerCert: string(tlsm.ServerCert), ServerKey: string(tlsm.ServerKey),
			ImageTarURL: t.Options["image-tar-url"],
		})
		if err != nil {
			return nil, providers.Permanent("CloudInitRender", err)
		}
	}
	return docs, nil
}

// SetUpHosts waits, reporting progress, until every instance's Docker
// engine answers over TLS and holds the node image: its cloud-config has
// run.
func (p *Provider) SetUpHosts(ctx context.Context, t cluster.Target, _ []cluster.Node, instances []cluster.Instance) error {
	for i, inst := range instances {
		d, err := p.engine(t.Cluster, inst)
		if err != nil {
			return err
		}
		err = poll.Until(ctx, 2*time.Second, func(ctx context.Context) (bool, error) {
			providers.Report(ctx, cluster.Progress{Text: fmt.Sprintf("%d/%d hosts ready", i, len(instances)), Done: i, Total: len(instances)})
			_, err := d.Client.ImageInspect(ctx, t.Image)
			return err == nil, nil
		})
		if err != nil {
			return fmt.Errorf("host %s of %s not ready (Docker with TLS on %d, image %s): %w", inst.Address, t.Cluster, p.DockerPort, t.Image, err)
		}
	}
	return nil
}

// engine is a docker provider bound to one instance's engine over TLS.
func (p *Provider) engine(clusterName string, inst cluster.Instance) (*docker.Provider, error) {
	tlsm, err := p.Master.DockerTLS(clusterName)
	if err != nil {
		return nil, err
	}
	cfg, err := tlsm.ClientConfig()
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	host := "tcp://" + net.JoinHostPort(inst.Address, strconv.Itoa(p.DockerPort))
	cl, err := client.NewClientWithOpts(client.WithHost(host), client.WithHTTPClient(hc), client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker client for %s: %w", inst.Address, err)
	}
	return &docker.Provider{Client: cl, HostNetwork: true, Logger: p.Logger}, nil
}

// StartNode starts the node's container on its instance.
func (p *Provider) StartNode(ctx context.Context, req providers.StartRequest) (cluster.NodeInfo, error) {
	d, err := p.engine(req.Target.Cluster, req.Instance)
	if err != nil {
		return cluster.NodeInfo{}, err
	}
	return d.StartNode(ctx, req)
}

// StopNodes stops the nodes' containers gracefully (they leave Serf) on
// their instances, which keep running.
func (p *Provider) StopNodes(ctx context.Context, t cluster.Target, nodes []cluster.Node) error {
	e, err := p.ec2(ctx, t)
	if err != nil {
		return err
	}
	insts, err := e.Instances(ctx, t.Cluster, nodes)
	if err != nil {
		return err
	}
	for _, inst := range insts {
		d, err := p.engine(t.Cluster, inst)
		if err != nil {
			return err
		}
		if err := d.StopNodes(ctx, t, nodesAt(nodes, inst.Index)); err != nil {
			return fmt.Errorf("stop node on %s: %w", inst.Address, err)
		}
	}
	return nil
}

func nodesAt(nodes []cluster.Node, index int) []cluster.Node {
	for _, n := range nodes {
		if n.Index == index {
			return []cluster.Node{n}
		}
	}
	return nil
}

// RemoveNodes stops the nodes gracefully and terminates their instances.
func (p *Provider) RemoveNodes(ctx context.Context, t cluster.Target, nodes []cluster.Node) (cluster.Released, error) {
	if err := p.StopNodes(ctx, t, nodes); err != nil {
		p.Logger.Warn("graceful stop before terminating", "cluster", t.Cluster, "err", err)
	}
	e, err := p.ec2(ctx, t)
	if err != nil {
		return cluster.Released{}, err
	}
	insts, err := e.Instances(ctx, t.Cluster, nodes)
	if err != nil {
		return cluster.Released{}, err
	}
	if err := e.Terminate(ctx, insts); err != nil {
		return cluster.Released{}, err
	}
	return cluster.Released{Containers: len(insts), Instances: len(insts)}, nil
}

// Release terminates every instance tagged with the cluster.
func (p *Provider) Release(ctx context.Context, t cluster.Target) (cluster.Released, error) {
	e, err := p.ec2(ctx, t)
	if err != nil {
		return cluster.Released{}, err
	}
	rel, err := e.Release(ctx, t.Cluster)
	rel.Containers = rel.Instances
	return rel, err
}
