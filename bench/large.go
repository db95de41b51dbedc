package bench

import (
	"context"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/visibility"
)

// Temporal's default limits: a history's events and bytes, and one
// payload (a workflow's input, an activity's result, a query's answer).
const (
	HistoryEventLimit = 51200
	HistoryBytesLimit = 50 << 20
	PayloadLimit      = 2 << 20
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
	// LargestPayload is the largest payload of the history (the
	// continue-as-new input carries every node's state).
	LargestPayload int `json:"largest_payload_bytes"`
	// Error is where the design broke, if it did.
	Error string `json:"error,omitempty"`
}

// ProvisionFake provisions a cluster of n nodes on the fake worker, then
// terminates it, and reports the history it made, or where it broke.
func (s *Stack) ProvisionFake(name string, n int) Large {
	start := time.Now()
	l, err := s.provisionFake(name, n)
	l.Nodes = n
	if err != nil {
		l.Wall, l.Error = time.Since(start).Seconds(), err.Error()
	}
	return l
}

func (s *Stack) provisionFake(name string, n int) (Large, error) {
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
	defer func() { _ = s.Client.TerminateWorkflow(context.Background(), run.GetID(), "", "bench done") }()
	var st cluster.Status
	err = poll.Until(ctx, 100*time.Millisecond, func(ctx context.Context) (bool, error) {
		v, err := s.Client.QueryWorkflow(ctx, run.GetID(), run.GetRunID(), cluster.QueryStatus)
		if err == nil {
			err = v.Get(&st)
		}
		return err == nil && st.Phase == cluster.PhaseReady, failed(st)
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
	res.Events, res.HistoryBytes, res.LargestPayload = len(h.Events), proto.Size(h), largestPayload(h)
	last := h.Events[len(h.Events)-1]
	res.ContinuedAsNew = last.GetWorkflowExecutionContinuedAsNewEventAttributes() != nil
	res.EventsPct = 100 * float64(res.Events) / HistoryEventLimit
	res.BytesPct = 100 * float64(res.HistoryBytes) / HistoryBytesLimit
	return res, nil
}

// failed is the error of a failed provisioning; query errors (the workflow
// has not started yet) are waited out.
func failed(st cluster.Status) error {
	if st.Phase == cluster.PhaseFailed {
		return fmt.Errorf("provisioning failed: %s", st.Error)
	}
	return nil
}

// largestPayload is the size of the history's largest payload.
func largestPayload(h *historypb.History) int {
	most := 0
	_ = proxy.VisitPayloads(context.Background(), h, proxy.VisitPayloadsOptions{
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			for _, p := range ps {
				most = max(most, proto.Size(p))
			}
			return ps, nil
		}})
	return most
}
