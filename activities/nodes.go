package activities

import (
	"context"
	"net"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/providers"
)

// HostsResult says how many hosts ApplyCloudInit set up.
type HostsResult struct {
	Hosts int `json:"hosts"`
}

// CloudInitInput is the nodes to set up and their instances, in order.
type CloudInitInput struct {
	NodesInput
	Instances []cluster.Instance `json:"instances"`
}

// ApplyCloudInit has the provider set the hosts up: on a cloud, it waits
// until each instance has run the cloud-config it was launched with; on the
// local engine, it puts in place what that cloud-config would (the node
// image, the cluster's network).
func (a *Activities) ApplyCloudInit(ctx context.Context, in CloudInitInput) (HostsResult, error) {
	p, err := a.provider(in.Target.Provider)
	if err != nil {
		return HostsResult{}, err
	}
	if len(in.Nodes) != len(in.Instances) {
		return HostsResult{}, permanent("InstanceMismatch", "%d instances for %d nodes", len(in.Instances), len(in.Nodes))
	}
	if err := p.SetUpHosts(reporting(ctx), in.Target, in.Nodes, in.Instances); err != nil {
		return HostsResult{}, wrap(err, "set up hosts of %s", in.Target.Cluster)
	}
	return HostsResult{Hosts: len(in.Instances)}, nil
}

// StartNodeInput is one node to start; JoinIP is empty for the server.
type StartNodeInput struct {
	Target   cluster.Target    `json:"target"`
	Node     cluster.Node      `json:"node"`
	Instance cluster.Instance  `json:"instance"`
	JoinIP   string            `json:"join_ip,omitempty"`
	NodeEnv  map[string]string `json:"node_env,omitempty"` // the user's extras
}

// StartServerContainer starts the first node (the Ambari server); its IP
// is the join IP of every other node.
func (a *Activities) StartServerContainer(ctx context.Context, in StartNodeInput) (cluster.NodeInfo, error) {
	if !in.Node.IsServer() {
		return cluster.NodeInfo{}, permanent("BadInput", "node %s is not the server", in.Node.Name)
	}
	return a.startNode(ctx, in)
}

// StartAgentContainer starts one agent node joining JoinIP.
func (a *Activities) StartAgentContainer(ctx context.Context, in StartNodeInput) (cluster.NodeInfo, error) {
	if in.JoinIP == "" {
		return cluster.NodeInfo{}, permanent("BadInput", "agent %s needs a join IP", in.Node.Name)
	}
	return a.startNode(ctx, in)
}

func (a *Activities) startNode(ctx context.Context, in StartNodeInput) (cluster.NodeInfo, error) {
	p, err := a.provider(in.Target.Provider)
	if err != nil {
		return cluster.NodeInfo{}, err
	}
	cfg, err := a.nodeConfig(in)
	if err != nil {
		return cluster.NodeInfo{}, err
	}
	info, err := p.StartNode(ctx, providers.StartRequest{Target: in.Target, Node: in.Node, Instance: in.Instance, Config: cfg})
	return info, wrap(err, "start %s %s", in.Node.Role, in.Node.Name)
}

// nodeConfig is what the node is told: the user's extras, then herd's own
// settings, secrets derived here so they never enter history.
func (a *Activities) nodeConfig(in StartNodeInput) (contract.Config, error) {
	s := a.Master.For(in.Target.Cluster)
	cfg := contract.DefaultConfig()
	cfg.Role, cfg.NodeName, cfg.Domain = in.Node.Role, in.Node.FQDN, in.Target.Domain
	cfg.Cluster, cfg.HostGroup, cfg.Extra = in.Target.Cluster, in.Node.HostGroup, in.NodeEnv
	cfg.RPCAuthKey, cfg.Ambari.User, cfg.Ambari.Password = s.SerfRPCAuth, s.AmbariUser, s.AmbariPassword
	key, err := s.GossipKey()
	if err != nil {
		return cfg, permanent("BadSecret", "gossip key of %s: %v", in.Target.Cluster, err)
	}
	cfg.EncryptKey = key
	if in.JoinIP != "" {
		cfg.JoinAddr = net.JoinHostPort(in.JoinIP, contract.Port(contract.PortSerf))
	}
	return cfg, nil
}
