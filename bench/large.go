package bench

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/visibility"
)

// Temporal's default history limits.
const (
	HistoryEventLimit = 51200
	HistoryBytesLimit = 50 << 20
)

// Large is the workflow's own cost for one big cluster on fake activities.
type Large struct {
	Nodes          int     `json:"nodes"`
	Wall           float64 `json:"wall_s"`
	ContinuedAsNew bool    `json:"continued_as_new"`
	Events         int     `json:"history_events"`
	HistoryBytes   int     `json:"history_bytes"`
	EventsPct      float64 `json:"events_pct_of_limit"`
	BytesPct       float64 `json:"bytes_pct_of_limit"`
}

// ProvisionFake provisions a cluster of n nodes on the fake worker, then
// terminates it, and reports the history it made.
func (s *Stack) ProvisionFake(name string, n int) (Large, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	spec, err := Spec(name, "fake", n)
	if err != nil {
		return Large{}, err
	}
	spec.Provider = "fake"
	start := time.Now()
	run, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: cluster.WorkflowID(name), TaskQueue: FakeQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes: visibility.Initial(spec),
	}, cluster.WorkflowCluster, cluster.ClusterInput{Spec: spec})
	if err != nil {
		return Large{}, err
	}
	err = poll.Until(ctx, 100*time.Millisecond, func(ctx context.Context) (bool, error) {
		v, err := s.Client.QueryWorkflow(ctx, run.GetID(), run.GetRunID(), cluster.QueryStatus)
		var st cluster.Status
		return err == nil && v.Get(&st) == nil && st.Phase == cluster.PhaseReady, nil
	})
	if err != nil {
		return Large{}, fmt.Errorf("%d-node fake provisioning: %w", n, err)
	}
	res := Large{Nodes: n, Wall: time.Since(start).Seconds()}
	// The run that provisioned (the workflow may have continued as new since).
	h, err := s.history(ctx, run.GetID(), run.GetRunID())
	if err != nil {
		return res, err
	}
	res.Events, res.HistoryBytes = len(h.Events), proto.Size(h)
	last := h.Events[len(h.Events)-1]
	res.ContinuedAsNew = last.GetWorkflowExecutionContinuedAsNewEventAttributes() != nil
	res.EventsPct = 100 * float64(res.Events) / HistoryEventLimit
	res.BytesPct = 100 * float64(res.HistoryBytes) / HistoryBytesLimit
	_, err = s.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: run.GetID(), UpdateName: cluster.UpdateTerminate,
		WaitForStage: client.WorkflowUpdateStageCompleted})
	return res, err
}
