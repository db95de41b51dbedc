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
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/cloudinit"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/docker"
	"github.com/herdhq/herd/secrets"
)

// Provider runs clusters on EC2: one instance per node, set up by its
// cloud-config (Docker listening with TLS, the node image), the node's
// container started through that engine in the host's network.
type Provider struct {
	Master     secrets.Master
	DockerPort int // where instances' engines listen with TLS: 2376
	Logger     *slog.Logger

	mu      sync.Mutex
	clients map[string]*EC2
}

// New returns the AWS provider.
func New(master secrets.Master, log *slog.Logger) *Provider {
	return &Provider{Master: master, DockerPort: 2376, Logger: log, clients: map[string]*EC2{}}
}

// ec2 is the EC2 client for a spec's options (region, endpoint, ...).
func (p *Provider) ec2(ctx context.Context, spec cluster.Spec) (*EC2, error) {
	o, err := ParseOptions(spec.ProviderOptions)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "BadProviderOptions", nil)
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
func (p *Provider) Allocate(ctx context.Context, spec cluster.Spec, nodes []cluster.Node) ([]providers.Instance, error) {
	e, err := p.ec2(ctx, spec)
	if err != nil {
		return nil, err
	}
	tlsm, err := p.Master.DockerTLS(spec.Name)
	if err != nil {
		return nil, err
	}
	docs := make([]string, len(nodes))
	for i, n := range nodes {
		docs[i], err = cloudinit.RenderHost(cloudinit.HostParams{
			Params: cloudinit.Params{Cluster: spec.Name, Node: n.Name, FQDN: n.FQDN, Role: n.Role, HostGroup: n.HostGroup,
				Domain: spec.Domain, Image: spec.Image, Network: "host"},
			CACert: string(tlsm.CACert), ServerCert: string(tlsm.ServerCert), ServerKey: string(tlsm.ServerKey),
			ImageTarURL: spec.ProviderOptions["image-tar-url"],
		})
		if err != nil {
			return nil, temporal.NewNonRetryableApplicationError(err.Error(), "CloudInitRender", nil)
		}
	}
	return e.Launch(ctx, spec.Name, nodes, docs)
}

// Bootstrap waits, heartbeating, until every instance's Docker engine
// answers over TLS and holds the node image: its cloud-config has run.
func (p *Provider) Bootstrap(ctx context.Context, spec cluster.Spec, instances []providers.Instance, _ []string) error {
	for i, inst := range instances {
		d, err := p.engine(spec.Name, inst)
		if err != nil {
			return err
		}
		for {
			_, err := d.Client.ImageInspect(ctx, spec.Image)
			if err == nil {
				break
			}
			if activity.IsActivity(ctx) {
				activity.RecordHeartbeat(ctx, fmt.Sprintf("%d/%d hosts ready", i, len(instances)))
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("host %s of %s not ready (Docker with TLS on %d, image %s): %w", inst.Address, spec.Name, p.DockerPort, spec.Image, err)
			case <-time.After(2 * time.Second):
			}
		}
	}
	return nil
}

// engine is a docker provider bound to one instance's engine over TLS.
func (p *Provider) engine(clusterName string, inst providers.Instance) (*docker.Provider, error) {
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
	d, err := p.engine(req.Spec.Name, req.Instance)
	if err != nil {
		return cluster.NodeInfo{}, err
	}
	return d.StartNode(ctx, req)
}

// StopNodes stops the nodes' containers gracefully (they leave Serf) on
// their instances, which keep running.
func (p *Provider) StopNodes(ctx context.Context, spec cluster.Spec, nodes []cluster.Node) error {
	e, err := p.ec2(ctx, spec)
	if err != nil {
		return err
	}
	insts, err := e.Instances(ctx, spec.Name, nodes)
	if err != nil {
		return err
	}
	for _, inst := range insts {
		d, err := p.engine(spec.Name, inst)
		if err != nil {
			return err
		}
		if err := d.StopNodes(ctx, spec, nodesAt(nodes, inst.Index)); err != nil {
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
func (p *Provider) RemoveNodes(ctx context.Context, spec cluster.Spec, nodes []cluster.Node) (providers.Released, error) {
	if err := p.StopNodes(ctx, spec, nodes); err != nil {
		p.Logger.Warn("graceful stop before terminating", "cluster", spec.Name, "err", err)
	}
	e, err := p.ec2(ctx, spec)
	if err != nil {
		return providers.Released{}, err
	}
	insts, err := e.Instances(ctx, spec.Name, nodes)
	if err != nil {
		return providers.Released{}, err
	}
	if err := e.Terminate(ctx, insts); err != nil {
		return providers.Released{}, err
	}
	return providers.Released{Containers: len(insts), Instances: len(insts)}, nil
}

// Release terminates every instance tagged with the cluster.
func (p *Provider) Release(ctx context.Context, spec cluster.Spec) (providers.Released, error) {
	e, err := p.ec2(ctx, spec)
	if err != nil {
		return providers.Released{}, err
	}
	rel, err := e.Release(ctx, spec.Name)
	rel.Containers = rel.Instances
	return rel, err
}
