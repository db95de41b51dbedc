package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/cloudinit"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/docker"
)

// CloudInitResult says what ApplyCloudInit rendered; the documents
// themselves stay out of workflow history.
type CloudInitResult struct {
	Documents int `json:"documents"`
	Bytes     int `json:"bytes"`
}

// CloudInitInput is the nodes to set up and their instances, in order.
type CloudInitInput struct {
	NodesInput
	Instances []providers.Instance `json:"instances"`
}

// ApplyCloudInit renders each instance's cloud-config and has the provider
// apply it.
func (a *Activities) ApplyCloudInit(ctx context.Context, in CloudInitInput) (CloudInitResult, error) {
	spec, nodes, instances := in.Spec, in.Nodes, in.Instances
	p, err := a.provider(spec.Provider)
	if err != nil {
		return CloudInitResult{}, err
	}
	if len(nodes) != len(instances) {
		return CloudInitResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("%d instances for %d nodes", len(instances), len(nodes)), "InstanceMismatch", nil)
	}
	var res CloudInitResult
	docs := make([]string, len(nodes))
	for i, n := range nodes {
		doc, err := cloudinit.Render(cloudinit.Params{
			Cluster: spec.Name, Node: n.Name, FQDN: n.FQDN, Role: n.Role, HostGroup: n.HostGroup,
			Domain: spec.Domain, Image: spec.Image, Network: docker.NetworkName(spec.Name),
		})
		if err != nil {
			return res, temporal.NewNonRetryableApplicationError(err.Error(), "CloudInitRender", nil)
		}
		docs[i] = doc
		res.Documents++
		res.Bytes += len(doc)
	}
	if err := p.Bootstrap(ctx, spec, instances, docs); err != nil {
		return res, wrap(err, "bootstrap hosts of %s", spec.Name)
	}
	return res, nil
}

// StartNodeInput is one node to start; JoinIP is empty for the server.
type StartNodeInput struct {
	Spec     cluster.Spec       `json:"spec"`
	Node     cluster.Node       `json:"node"`
	Instance providers.Instance `json:"instance"`
	JoinIP   string             `json:"join_ip,omitempty"`
}

// StartServerContainer starts the first node (AMBARI_ROLE=server); its IP is
// the join IP of every other node.
func (a *Activities) StartServerContainer(ctx context.Context, in StartNodeInput) (cluster.NodeInfo, error) {
	if in.Node.Role != cluster.RoleServer {
		return cluster.NodeInfo{}, temporal.NewNonRetryableApplicationError("node "+in.Node.Name+" is not the server", "BadInput", nil)
	}
	return a.startNode(ctx, in)
}

// StartAgentContainer starts one agent node joining JoinIP.
func (a *Activities) StartAgentContainer(ctx context.Context, in StartNodeInput) (cluster.NodeInfo, error) {
	if in.JoinIP == "" {
		return cluster.NodeInfo{}, temporal.NewNonRetryableApplicationError("agent "+in.Node.Name+" needs a join IP", "BadInput", nil)
	}
	return a.startNode(ctx, in)
}

func (a *Activities) startNode(ctx context.Context, in StartNodeInput) (cluster.NodeInfo, error) {
	p, err := a.provider(in.Spec.Provider)
	if err != nil {
		return cluster.NodeInfo{}, err
	}
	info, err := p.StartNode(ctx, providers.StartRequest{Spec: in.Spec, Node: in.Node, Instance: in.Instance, Env: a.nodeEnv(in)})
	if err != nil {
		return info, wrap(err, "start %s %s", in.Node.Role, in.Node.Name)
	}
	return info, nil
}

// nodeEnv is the container environment: the user's extras, then what herd
// sets (which wins), secrets derived here so they never enter history.
func (a *Activities) nodeEnv(in StartNodeInput) map[string]string {
	env := map[string]string{}
	for k, v := range in.Spec.NodeEnv {
		env[k] = v
	}
	s := a.Master.For(in.Spec.Name)
	env["AMBARI_ROLE"] = in.Node.Role
	env["HERD_CLUSTER"] = in.Spec.Name
	env["HERD_HOST_GROUP"] = in.Node.HostGroup
	env["HERD_DOMAIN"] = in.Spec.Domain
	env["HERD_NODE_NAME"] = in.Node.FQDN
	env["SERF_ENCRYPT_KEY"] = s.SerfEncryptKey
	env["SERF_RPC_AUTH"] = s.SerfRPCAuth
	env["AMBARI_USER"] = s.AmbariUser
	env["AMBARI_PASSWORD"] = s.AmbariPassword
	if in.JoinIP != "" {
		env["SERF_JOIN_IP"] = in.JoinIP
	}
	return env
}
