// Package providers is the small interface every place herd can run a
// cluster on implements: allocate instances, set hosts up, start node
// containers, release everything.
package providers

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/herdhq/herd/cluster"
)

// Instance is one allocated machine (or slot) that will run one node.
type Instance struct {
	ID      string `json:"id"`
	Index   int    `json:"index"`
	Address string `json:"address,omitempty"`
}

// StartRequest is everything needed to start one node's container.
type StartRequest struct {
	Spec     cluster.Spec
	Node     cluster.Node
	Instance Instance
	Env      map[string]string // the node's environment, secrets included: never logged
}

// Released says what Release removed.
type Released struct {
	Containers int `json:"containers"`
	Networks   int `json:"networks"`
	Instances  int `json:"instances"`
}

// Provider is a place to run clusters. Every method is idempotent: Temporal
// retries them.
type Provider interface {
	// Allocate returns one instance per node; a retry returns the same ones.
	Allocate(ctx context.Context, spec cluster.Spec, nodes []cluster.Node) ([]Instance, error)
	// Bootstrap applies the rendered cloud-config of each instance. A cloud
	// provider, which must hand its own cloud-config to the instance as user
	// data at Allocate, waits here until the instances have run it.
	Bootstrap(ctx context.Context, spec cluster.Spec, instances []Instance, cloudConfigs []string) error
	// StartNode starts (or adopts an existing) container for one node; an
	// existing container told another join IP is replaced.
	StartNode(ctx context.Context, req StartRequest) (cluster.NodeInfo, error)
	// StopNodes stops nodes gracefully (they leave Serf), keeping them.
	StopNodes(ctx context.Context, spec cluster.Spec, nodes []cluster.Node) error
	// RemoveNodes stops nodes gracefully and releases them for good.
	RemoveNodes(ctx context.Context, spec cluster.Spec, nodes []cluster.Node) (Released, error)
	// Release removes every container, network and instance of a cluster.
	Release(ctx context.Context, spec cluster.Spec) (Released, error)
}

// Registry maps provider names to providers.
type Registry map[string]Provider

// Get finds a provider by name, with an error that lists the known ones.
func (r Registry) Get(name string) (Provider, error) {
	p, ok := r[name]
	if !ok {
		return nil, fmt.Errorf("unknown provider %q: this worker has %s", name, strings.Join(r.Names(), ", "))
	}
	return p, nil
}

// Names lists the registered provider names, sorted.
func (r Registry) Names() []string {
	out := make([]string, 0, len(r))
	for n := range r {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
