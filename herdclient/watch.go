package herdclient

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

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
	return c.watch(ctx, name, done, w, nil)
}

// watch is Watch that also looks again whenever changed delivers.
func (c *Client) watch(ctx context.Context, name string, done func(cluster.Status) bool, w Watcher, changed <-chan struct{}) (cluster.Status, error) {
	var last Snapshot
	err := poll.UntilChanged(ctx, watchInterval, changed, func(ctx context.Context) (bool, error) {
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

// awaitProvisioned asks the cluster's workflow to answer once its
// provisioning ended (an update that waits), and delivers when it answers
// or fails: the watch then looks at once instead of at its next interval.
// An update refused (provisioning already over) or failed delivers too.
func (c *Client) awaitProvisioned(ctx context.Context, name string) <-chan struct{} {
	ended := make(chan struct{}, 1)
	go func() {
		h, err := c.T.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: cluster.WorkflowID(name), UpdateName: cluster.UpdateAwaitProvisioned,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			_ = h.Get(ctx, nil)
		}
		ended <- struct{}{}
	}()
	return ended
}

// WaitProvisioned follows a cluster's provisioning until it is ready (or
// failed, which is an error).
func (c *Client) WaitProvisioned(ctx context.Context, name string, w Watcher) (cluster.Status, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // the update's wait, when the watch saw the end first
	ended := c.awaitProvisioned(ctx, name)
	st, err := c.watch(ctx, name, func(st cluster.Status) bool {
		return !st.Phase.Provisioning()
	}, w, ended)
	if err != nil {
		return st, err
	}
	return st, st.Failed()
}
