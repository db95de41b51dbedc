// Package activities holds every side effect of provisioning, one Temporal
// activity per step. Each is idempotent: Temporal retries them.
package activities

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/secrets"
)

// Non-retryable error types, as they appear in workflow history.
const (
	ErrImageNotFound       = "ImageNotFound"
	ErrQuorumTimeout       = "QuorumTimeout"
	ErrBlueprintConflict   = "BlueprintConflict"
	ErrAmbariRequestFailed = "AmbariRequestFailed"
	ErrRegistrationTimeout = "RegistrationTimeout"
)

// Activities carries the worker-side dependencies of every activity.
type Activities struct {
	Providers providers.Registry
	Master    secrets.Master
	// Temporal lets scheduled scaling send updates to cluster workflows.
	Temporal client.Client
	// PollInterval is how often waits look again (2 s by default).
	PollInterval time.Duration
	Logger       *slog.Logger
}

func (a *Activities) interval() time.Duration {
	if a.PollInterval > 0 {
		return a.PollInterval
	}
	return 2 * time.Second
}

func (a *Activities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

func (a *Activities) ambariClient(clusterName, url string) *ambari.Client {
	s := a.Master.For(clusterName)
	return ambari.NewClient(url, s.AmbariUser, s.AmbariPassword)
}

// provider finds a provider; an unknown one is not worth retrying.
func (a *Activities) provider(name string) (providers.Provider, error) {
	p, err := a.Providers.Get(name)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "UnknownProvider", nil)
	}
	return p, nil
}

// NodesInput names some nodes of a cluster.
type NodesInput struct {
	Spec  cluster.Spec   `json:"spec"`
	Nodes []cluster.Node `json:"nodes"`
}

// AllocateInstances asks the spec's provider for one instance per node.
func (a *Activities) AllocateInstances(ctx context.Context, in NodesInput) ([]providers.Instance, error) {
	p, err := a.provider(in.Spec.Provider)
	if err != nil {
		return nil, err
	}
	return p.Allocate(ctx, in.Spec, in.Nodes)
}

// StopNodes stops nodes gracefully (they leave Serf) and keeps them.
func (a *Activities) StopNodes(ctx context.Context, in NodesInput) error {
	p, err := a.provider(in.Spec.Provider)
	if err != nil {
		return err
	}
	return wrap(p.StopNodes(ctx, in.Spec, in.Nodes), "stop nodes of %s", in.Spec.Name)
}

// RemoveNodes stops nodes gracefully and releases them.
func (a *Activities) RemoveNodes(ctx context.Context, in NodesInput) (providers.Released, error) {
	p, err := a.provider(in.Spec.Provider)
	if err != nil {
		return providers.Released{}, err
	}
	rel, err := p.RemoveNodes(ctx, in.Spec, in.Nodes)
	if err != nil {
		return rel, wrap(err, "remove nodes of %s", in.Spec.Name)
	}
	return rel, nil
}

// ReleaseInput names what to release.
type ReleaseInput struct {
	Cluster  string            `json:"cluster"`
	Provider string            `json:"provider"`
	Options  map[string]string `json:"provider_options,omitempty"`
}

// ReleaseCluster removes every container, network and instance of a cluster.
func (a *Activities) ReleaseCluster(ctx context.Context, in ReleaseInput) (providers.Released, error) {
	p, err := a.provider(in.Provider)
	if err != nil {
		return providers.Released{}, err
	}
	rel, err := p.Release(ctx, cluster.Spec{Name: in.Cluster, Provider: in.Provider, ProviderOptions: in.Options})
	if err == nil {
		a.logger().Info("cluster released", "cluster", in.Cluster, "containers", rel.Containers, "networks", rel.Networks)
	}
	return rel, err
}

// waitUntil calls check every interval until it reports done, heartbeating
// its progress text, until ctx ends.
func (a *Activities) waitUntil(ctx context.Context, check func() (done bool, progress string, err error)) (string, error) {
	var last string
	for {
		done, progress, err := check()
		if err != nil {
			return progress, err
		}
		last = progress
		activity.RecordHeartbeat(ctx, progress)
		if done {
			return last, nil
		}
		if err := sleep(ctx, a.interval()); err != nil {
			return last, err
		}
	}
}

// deadlineCtx ends after limit (when set) or a little before the
// activity's own deadline, whichever is first, so the activity can still
// report what it was waiting for.
func deadlineCtx(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	dl := time.Now().Add(24 * time.Hour)
	if activity.IsActivity(ctx) {
		dl = activity.GetInfo(ctx).Deadline
		margin := time.Until(dl) / 10
		if margin > 5*time.Second {
			margin = 5 * time.Second
		}
		dl = dl.Add(-margin)
	}
	if limit > 0 && time.Now().Add(limit).Before(dl) {
		dl = time.Now().Add(limit)
	}
	return context.WithDeadline(ctx, dl)
}
