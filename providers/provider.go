// Package providers is the small interface every place herd can run a
// cluster on implements: allocate instances, set hosts up, start node
// containers, release everything. Providers know nothing of Temporal: they
// return plain errors, marked Permanent when retrying cannot help.
package providers

import (
	"context"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
)

// StartRequest is everything needed to start one node's container.
type StartRequest struct {
	Target   cluster.Target
	Node     cluster.Node
	Instance cluster.Instance
	// Config is the node's configuration, secrets included: never logged.
	Config contract.Config
}

// Provider is a place to run clusters. Every method is idempotent: Temporal
// retries them.
type Provider interface {
	// Schema describes the provider and checks its options.
	Schema() Schema
	// Allocate returns one instance per node; a retry returns the same ones.
	Allocate(ctx context.Context, t cluster.Target, nodes []cluster.Node) ([]cluster.Instance, error)
	// SetUpHosts makes the instances ready to run node containers: on a
	// cloud, their cloud-config (given at Allocate) has run; on the local
	// engine, the node image and the cluster's network are in place. It
	// reports its progress with Report.
	SetUpHosts(ctx context.Context, t cluster.Target, nodes []cluster.Node, instances []cluster.Instance) error
	// StartNode starts (or adopts an existing) container for one node; an
	// existing container told another join IP is replaced.
	StartNode(ctx context.Context, req StartRequest) (cluster.NodeInfo, error)
	// StopNodes stops nodes gracefully (they leave Serf), keeping them.
	StopNodes(ctx context.Context, t cluster.Target, nodes []cluster.Node) error
	// RemoveNodes stops nodes gracefully and releases them for good.
	RemoveNodes(ctx context.Context, t cluster.Target, nodes []cluster.Node) (cluster.Released, error)
	// Release removes every container, network, volume and instance of a
	// cluster, found by its labels or tags.
	Release(ctx context.Context, t cluster.Target) (cluster.Released, error)
}
