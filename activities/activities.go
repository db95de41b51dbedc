// Package activities holds every side effect of provisioning, one Temporal
// activity per step. Each is idempotent: Temporal retries them.
package activities

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/poll"
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
	return p, wrap(err, "find provider")
}

// NodesInput names some nodes of a cluster and where they run.
type NodesInput struct {
	Target cluster.Target `json:"target"`
	Nodes  []cluster.Node `json:"nodes"`
}

// AllocateInstances asks the target's provider for one instance per node.
func (a *Activities) AllocateInstances(ctx context.Context, in NodesInput) ([]cluster.Instance, error) {
	p, err := a.provider(in.Target.Provider)
	if err != nil {
		return nil, err
	}
	if err := p.Schema().Validate(in.Target.Options); err != nil {
		return nil, permanent("BadProviderOptions", "%v", err)
	}
	inst, err := p.Allocate(reporting(ctx), in.Target, in.Nodes)
	return inst, wrap(err, "allocate instances of %s", in.Target.Cluster)
}

// StopNodes stops nodes gracefully (they leave Serf) and keeps them.
func (a *Activities) StopNodes(ctx context.Context, in NodesInput) error {
	p, err := a.provider(in.Target.Provider)
	if err != nil {
		return err
	}
	return wrap(p.StopNodes(ctx, in.Target, in.Nodes), "stop nodes of %s", in.Target.Cluster)
}

// RemoveNodes stops nodes gracefully and releases them.
func (a *Activities) RemoveNodes(ctx context.Context, in NodesInput) (cluster.Released, error) {
	p, err := a.provider(in.Target.Provider)
	if err != nil {
		return cluster.Released{}, err
	}
	rel, err := p.RemoveNodes(ctx, in.Target, in.Nodes)
	return rel, wrap(err, "remove nodes of %s", in.Target.Cluster)
}

// reporting is ctx with a provider reporter that heartbeats the progress.
func reporting(ctx context.Context) context.Context {
	return providers.WithReporter(ctx, func(p cluster.Progress) { heartbeat(ctx, p) })
}

func heartbeat(ctx context.Context, p cluster.Progress) {
	if b, ok := ctx.Value(lastBeatKey{}).(*lastBeat); ok {
		b.set(p)
	}
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, p)
	}
}

// firstLook is how soon a wait looks again after its first check; the
// waits between looks then double up to the poll interval, so that what is
// nearly done is seen at once and what takes long is not polled harder.
const firstLook = 50 * time.Millisecond

// waitUntil calls check until it reports done, heartbeating its progress
// text, until ctx ends: soon at first, then every poll interval.
func (a *Activities) waitUntil(ctx context.Context, check func() (done bool, progress string, err error)) error {
	return poll.Ramp(ctx, firstLook, a.interval(), func(context.Context) (bool, error) {
		done, progress, err := check()
		heartbeat(ctx, cluster.Progress{Text: progress})
		return done, err
	})
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
