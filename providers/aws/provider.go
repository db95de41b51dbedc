package aws

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
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

// MetadataURL is the instance metadata service, where a spot node reads
// its interruption notice (its container is in the host's network, so the
// hop limit of 1 holds).
const MetadataURL = "http://169.254.169.254"

// Provider runs clusters on EC2: one instance per node, set up by its
// cloud-config (Docker listening with TLS, the node image), the node's
// container started through that engine in the host's network.
type Provider struct {
	Master     secrets.Master
	DockerPort int // where instances' engines listen with TLS (contract.PortDockerTLS)
	// SetUpGrace is how long an engine may stay silent after cloud-init
	// said it finished, before the host is taken as failed (1 min).
	SetUpGrace time.Duration
	// IMDS is where spot nodes read their interruption notice (MetadataURL).
	IMDS   string
	Logger *slog.Logger

	mu      sync.Mutex
	clients map[string]*EC2
}

// New returns the AWS provider.
func New(master secrets.Master, log *slog.Logger) *Provider {
	return &Provider{Master: master, DockerPort: contract.PortDockerTLS, SetUpGrace: time.Minute, IMDS: MetadataURL, Logger: log, clients: map[string]*EC2{}}
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
	e, err := NewEC2(ctx, o, p.Master.Installation(), p.Logger)
	if err != nil {
		return nil, err
	}
	p.clients[key] = e
	return e, nil
}

// Allocate launches one instance per node with its rendered cloud-config,
// each with a launch token of this allocation (t.Launch).
func (p *Provider) Allocate(ctx context.Context, t cluster.Target, nodes []cluster.Node) ([]cluster.Instance, error) {
	if t.Launch == "" {
		return nil, providers.Permanent("BadInput", fmt.Errorf("allocating on aws needs a launch name: the workflow gives one"))
	}
	e, err := p.ec2(ctx, t)
	if err != nil {
		return nil, err
	}
	docs, err := p.userData(e, t, nodes)
	if err != nil {
		return nil, err
	}
	ls := make([]Launch, len(nodes))
	for i, n := range nodes {
		ls[i] = Launch{Node: n, UserData: docs[i], Token: ClientToken(e.Installation, t.Cluster, n.Name, t.Launch), Spot: e.Opts.spot(n)}
	}
	return e.Launch(ctx, t.Cluster, ls)
}

// userData renders each node's host cloud-config: what a cloud instance
// must be given at launch.
func (p *Provider) userData(e *EC2, t cluster.Target, nodes []cluster.Node) ([]string, error) {
	tlsm, err := p.Master.DockerTLS(t.Cluster)
	if err != nil {
		return nil, err
	}
	docs := make([]string, len(nodes))
	for i, n := range nodes {
		cfg := contract.Config{Role: n.Role, NodeName: n.FQDN, Cluster: t.Cluster, HostGroup: n.HostGroup}
		if e.Opts.spot(n) {
			cfg.SpotNotice = p.IMDS
		}
		docs[i], err = cloudinit.RenderHost(cloudinit.HostParams{
			Cluster: t.Cluster, Node: n.Name, FQDN: n.FQDN, Role: n.Role, HostGroup: n.HostGroup, Image: t.Image,
			NodeEnv: cloudinit.NodeEnv(cfg),
			CACert:  string(tlsm.CACert), ImageTarURL: t.Options["image-tar-url"],
		})
		if err != nil {
			return nil, providers.Permanent("CloudInitRender", err)
		}
	}
	return docs, nil
}

// SetUpHosts waits, reporting progress, until every instance's Docker
// engine answers over TLS and holds the node image: its cloud-config has
// run. An instance that died, or whose cloud-init finished without a
// working engine, fails at once with its console's last lines.
func (p *Provider) SetUpHosts(ctx context.Context, t cluster.Target, _ []cluster.Node, instances []cluster.Instance) error {
	e, err := p.ec2(ctx, t)
	if err != nil {
		return err
	}
	for i, inst := range instances {
		providers.Report(ctx, cluster.Progress{Text: fmt.Sprintf("%d/%d hosts ready", i, len(instances)), Done: i, Total: len(instances)})
		if err := p.waitHost(ctx, e, t, inst); err != nil {
			return err
		}
	}
	return nil
}

// waitHost waits for one host's engine and image: first for the host to
// tell its engine certificate's fingerprint, then for the engine.
func (p *Provider) waitHost(ctx context.Context, e *EC2, t cluster.Target, inst cluster.Instance) error {
	var finished time.Time
	var last error
	var d *docker.Provider
	err := poll.Until(ctx, 2*time.Second, func(ctx context.Context) (bool, error) {
		if d == nil {
			if d, last = p.engine(ctx, e, t.Cluster, inst); d == nil {
				return false, p.failedHost(ctx, e, t, inst, &finished, last)
			}
		}
		ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, last = d.Client.ImageInspect(ictx, t.Image); last == nil {
			return true, nil
		}
		return false, p.failedHost(ctx, e, t, inst, &finished, last)
	})
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("host %s of %s not ready (Docker with TLS on %d, image %s): %v", inst.Address, t.Cluster, p.DockerPort, t.Image, last)
	}
	return err
}

// failedHost is the error of a host that will not come up — its instance
// died, or cloud-init finished long since without a working engine — or
// nil while there is hope.
func (p *Provider) failedHost(ctx context.Context, e *EC2, t cluster.Target, inst cluster.Instance, finished *time.Time, last error) error {
	if state, why, err := e.State(ctx, inst.ID); err == nil && state != "running" && state != "pending" {
		return providers.Permanent("AWSInstanceDied", fmt.Errorf("instance %s (%s) is %s: %s\n%s", inst.ID, inst.Address, state, why, e.ConsoleOutput(ctx, inst.ID)))
	}
	console := e.ConsoleOutput(ctx, inst.ID)
	if finished.IsZero() && cloudInitFinished(console) {
		*finished = time.Now()
	}
	if !finished.IsZero() && time.Since(*finished) > p.SetUpGrace {
		return providers.Permanent("AWSHostSetUp", fmt.Errorf("cloud-init finished on %s (%s) but Docker does not answer on %d with image %s (%v); its console ends:\n%s",
			inst.ID, inst.Address, p.DockerPort, t.Image, last, console))
	}
	return nil
}

// cloudInitFinished reports whether a console shows cloud-init's end.
func cloudInitFinished(console string) bool {
	return strings.Contains(console, "Cloud-init v.") && strings.Contains(console, " finished at ")
}

// engine is a docker provider bound to one instance's engine over TLS,
// the engine known by its pinned certificate, with timeouts that notice an
// instance that does not answer.
func (p *Provider) engine(ctx context.Context, e *EC2, clusterName string, inst cluster.Instance) (*docker.Provider, error) {
	tlsm, err := p.Master.DockerTLS(clusterName)
	if err != nil {
		return nil, err
	}
	pin := inst.Pin
	if pin == "" {
		if pin, err = e.Pin(ctx, inst.ID); err != nil {
			return nil, err
		}
	}
	cfg, err := tlsm.ClientConfig(pin)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{TLSClientConfig: cfg, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext, TLSHandshakeTimeout: 5 * time.Second}
	host := "tcp://" + net.JoinHostPort(inst.Address, strconv.Itoa(p.DockerPort))
	cl, err := client.NewClientWithOpts(client.WithHost(host), client.WithHTTPClient(&http.Client{Transport: tr}), client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker client for %s: %w", inst.Address, err)
	}
	return &docker.Provider{Client: cl, HostNetwork: true, Logger: p.Logger}, nil
}

// StartNode starts the node's container on its instance; a stopped
// instance (the cluster was stopped) is started first.
func (p *Provider) StartNode(ctx context.Context, req providers.StartRequest) (cluster.NodeInfo, error) {
	e, err := p.ec2(ctx, req.Target)
	if err != nil {
		return cluster.NodeInfo{}, err
	}
	if state, _, err := e.State(ctx, req.Instance.ID); err == nil && (state == "stopped" || state == "stopping") {
		if err := e.waitState(ctx, []string{req.Instance.ID}, "stopped"); err != nil {
			return cluster.NodeInfo{}, err
		}
		if err := e.Start(ctx, []cluster.Instance{req.Instance}); err != nil {
			return cluster.NodeInfo{}, err
		}
		if err := p.waitHost(ctx, e, req.Target, req.Instance); err != nil {
			return cluster.NodeInfo{}, err
		}
	}
	d, err := p.engine(ctx, e, req.Target.Cluster, req.Instance)
	if err != nil {
		return cluster.NodeInfo{}, err
	}
	if e.Opts.spot(req.Node) {
		req.Config.SpotNotice = p.IMDS // the node tells Serf of its interruption notice
	}
	return d.StartNode(ctx, req)
}

// stopContainers stops the nodes' containers gracefully (they leave Serf)
// on their instances; it returns the instances.
func (p *Provider) stopContainers(ctx context.Context, e *EC2, t cluster.Target, nodes []cluster.Node) ([]cluster.Instance, error) {
	insts, err := e.Instances(ctx, t.Cluster, nodes)
	if err != nil {
		return nil, err
	}
	for _, inst := range insts {
		d, err := p.engine(ctx, e, t.Cluster, inst)
		if err != nil {
			return insts, err
		}
		if err := d.StopNodes(ctx, t, nodesAt(nodes, inst.Index)); err != nil {
			return insts, fmt.Errorf("stop node on %s: %w", inst.Address, err)
		}
	}
	return insts, nil
}

// StopNodes stops the nodes' containers gracefully, then their instances,
// which keep their disks and addresses and stop costing compute.
func (p *Provider) StopNodes(ctx context.Context, t cluster.Target, nodes []cluster.Node) error {
	e, err := p.ec2(ctx, t)
	if err != nil {
		return err
	}
	insts, err := p.stopContainers(ctx, e, t, nodes)
	if err != nil {
		return err
	}
	return e.Stop(ctx, insts)
}

func nodesAt(nodes []cluster.Node, index int) []cluster.Node {
	for _, n := range nodes {
		if n.Index == index {
			return []cluster.Node{n}
		}
	}
	return nil
}

// RemoveNodes stops the nodes gracefully (when they answer) and terminates
// their instances.
func (p *Provider) RemoveNodes(ctx context.Context, t cluster.Target, nodes []cluster.Node) (cluster.Released, error) {
	e, err := p.ec2(ctx, t)
	if err != nil {
		return cluster.Released{}, err
	}
	insts, err := p.stopContainers(ctx, e, t, nodes)
	if err != nil {
		p.Logger.Warn("graceful stop before terminating", "cluster", t.Cluster, "err", err)
	}
	if insts == nil {
		if insts, err = e.Instances(ctx, t.Cluster, nodes); err != nil {
			return cluster.Released{}, err
		}
	}
	if err := e.Terminate(ctx, idsOf(insts)); err != nil {
		return cluster.Released{}, err
	}
	return cluster.Released{Containers: len(insts), Instances: len(insts)}, nil
}

// Release terminates every instance of the cluster this installation
// launched.
func (p *Provider) Release(ctx context.Context, t cluster.Target) (cluster.Released, error) {
	e, err := p.ec2(ctx, t)
	if err != nil {
		return cluster.Released{}, err
	}
	rel, err := e.Release(ctx, t.Cluster)
	rel.Containers = rel.Instances
	return rel, err
}
