package herdclient

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/poll"
)

// Snapshot is one look at a cluster: its status, the live progress of each
// running activity (by activity name) and whether its workflow has ended.
type Snapshot struct {
	Status cluster.Status
	Live   map[string]cluster.Progress
	Closed bool
	Err    error // the status query's error, when it failed
}

// Watcher is told of every snapshot while an operation is followed; nil
// follows silently.
type Watcher func(Snapshot)

// watchInterval is how often a followed cluster is looked at.
const watchInterval = 500 * time.Millisecond

// Look takes one snapshot of a cluster.
func (c *Client) Look(ctx context.Context, name string) Snapshot {
	st, err := c.Status(ctx, name)
	s := Snapshot{Status: st, Err: err, Live: map[string]cluster.Progress{}}
	d, derr := c.T.DescribeWorkflowExecution(ctx, cluster.WorkflowID(name), "")
	if derr != nil {
		return s
	}
	s.Closed = d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	for _, pa := range d.PendingActivities {
		var p cluster.Progress
		if pa.HeartbeatDetails != nil && c.DC.FromPayloads(pa.HeartbeatDetails, &p) == nil {
			s.Live[pa.ActivityType.GetName()] = p
		}
	}
	return s
}

// Watch looks at a cluster until done says so of its status or its
// workflow ends, telling w of each look, and returns the last status.
func (c *Client) Watch(ctx context.Context, name string, done func(cluster.Status) bool, w Watcher) (cluster.Status, error) {
	var last Snapshot
	err := poll.Until(ctx, watchInterval, func(ctx context.Context) (bool, error) {
		last = c.Look(ctx, name)
		if w != nil {
			w(last)
		}
		return (last.Err == nil && done(last.Status)) || last.Closed, nil
	})
	if err != nil {
		return last.Status, err
	}
	return c.Status(ctx, name)
}

// WaitProvisioned follows a cluster's provisioning until it is ready (or
// failed, which is an error).
func (c *Client) WaitProvisioned(ctx context.Context, name string, w Watcher) (cluster.Status, error) {
	st, err := c.Watch(ctx, name, func(st cluster.Status) bool {
		return st.Phase != cluster.PhaseProvisioning && st.Phase != cluster.PhaseCompensating
	}, w)
	if err != nil {
		return st, err
	}
	return st, st.Failed()
}
