package cluster

import "github.com/herdhq/herd/contract"

// Target is all a provider is told about a cluster: where its nodes run and
// what they run.
type Target struct {
	Provider string            `json:"provider"`
	Cluster  string            `json:"cluster"`
	Domain   string            `json:"domain,omitempty"`
	Image    string            `json:"image,omitempty"`
	Options  map[string]string `json:"options,omitempty"`
	// Launch names one allocation of instances: the same on every retry of
	// it, new for each create, scale or repair (cloud launch tokens derive
	// from it).
	Launch string `json:"launch,omitempty"`
}

// Instance is one allocated machine (or slot) that runs one node.
type Instance struct {
	ID      string `json:"id"`
	Index   int    `json:"index"`
	Address string `json:"address,omitempty"`
	// Pin is the fingerprint of the instance's Docker engine certificate,
	// when the provider learnt it (cloud hosts).
	Pin string `json:"pin,omitempty"`
}

// NodeInfo is a started node.
type NodeInfo struct {
	Node
	ContainerID string `json:"container_id"`
	IP          string `json:"ip"`
	AmbariURL   string `json:"ambari_url,omitempty"` // how the orchestrator reaches Ambari on it
	SerfRPC     string `json:"serf_rpc,omitempty"`   // how the orchestrator reaches its Serf RPC
}

// IsServer reports whether the node is the Ambari server.
func (n Node) IsServer() bool { return n.Role == contract.RoleServer }
