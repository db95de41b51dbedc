package herdclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/visibility"
)

// Client is herd's typed client over a Temporal client.
type Client struct {
	T client.Client
	// DC decodes what the client reads outside Temporal's own calls
	// (heartbeats, history): the data converter it was dialled with.
	DC converter.DataConverter
}

// New wraps a Temporal client dialled with dc (nil: Temporal's default).
func New(c client.Client, dc converter.DataConverter) *Client {
	if dc == nil {
		dc = converter.GetDefaultDataConverter()
	}
	return &Client{T: c, DC: dc}
}

// Create starts the workflow of a new cluster, which provisions it. The
// spec is validated first: nothing starts for a bad one. A name whose
// cluster still runs (in any phase, failed included) is refused with an
// *ExistsError, never taken for the new spec.
func (c *Client) Create(ctx context.Context, spec cluster.Spec) error {
	if err := spec.Validate(); err != nil {
		return err
	}
	_, err := c.T.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: cluster.WorkflowID(spec.Name), TaskQueue: cluster.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		// Without it the SDK answers a running workflow's handle instead
		// of the conflict, and the create would seem to succeed.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		StaticSummary:                            visibility.Summary(spec), StaticDetails: visibility.Details(spec),
		TypedSearchAttributes: visibility.Initial(spec),
	}, cluster.WorkflowCluster, cluster.ClusterInput{Spec: spec})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return &ExistsError{Name: spec.Name}
	}
	if err != nil {
		return fmt.Errorf("start provisioning of %s: %w", spec.Name, err)
	}
	return nil
}

// ExistsError refuses to create a cluster whose workflow still runs.
type ExistsError struct{ Name string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("cluster %s already exists: see `herd cluster status %s`, or terminate it first (herd cluster terminate %s)", e.Name, e.Name, e.Name)
}

// Status asks a cluster's workflow for its status.
func (c *Client) Status(ctx context.Context, name string) (cluster.Status, error) {
	var st cluster.Status
	v, err := c.T.QueryWorkflow(ctx, cluster.WorkflowID(name), "", cluster.QueryStatus)
	if err != nil {
		return st, fmt.Errorf("query cluster %s: %w (does it exist? see `herd cluster list`)", name, err)
	}
	return st, v.Get(&st)
}

// Summary is one cluster in a list.
type Summary struct {
	Name    string         `json:"name"`
	Phase   cluster.Phase  `json:"phase"`
	Health  cluster.Health `json:"health,omitempty"`
	Nodes   int            `json:"nodes"`
	Started time.Time      `json:"started"`
}

// List returns every cluster's latest workflow, newest first, with the
// phase and size its search attributes hold: one visibility query.
func (c *Client) List(ctx context.Context) ([]Summary, error) {
	var out []Summary
	seen := map[string]bool{}
	req := &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowType = '" + cluster.WorkflowCluster + "'"}
	for {
		resp, err := c.T.ListWorkflow(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("list clusters: %w", err)
		}
		for _, e := range resp.Executions {
			name := strings.TrimPrefix(e.Execution.WorkflowId, cluster.WorkflowIDPrefix)
			if seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, summarize(name, e))
		}
		if len(resp.NextPageToken) == 0 {
			return out, nil
		}
		req.NextPageToken = resp.NextPageToken
	}
}

func summarize(name string, e *workflowpb.WorkflowExecutionInfo) Summary {
	s := Summary{Name: name, Phase: closedPhase(e.Status), Started: e.StartTime.AsTime()}
	sa := e.GetSearchAttributes().GetIndexedFields()
	if e.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		_ = converter.GetDefaultDataConverter().FromPayload(sa[cluster.SAPhase], &s.Phase)
		_ = converter.GetDefaultDataConverter().FromPayload(sa[cluster.SAHealth], &s.Health)
	}
	_ = converter.GetDefaultDataConverter().FromPayload(sa[cluster.SANodes], &s.Nodes)
	return s
}

// closedPhase is the phase a workflow's status implies: a completed
// cluster workflow was terminated, any other end is a failure.
func closedPhase(s enumspb.WorkflowExecutionStatus) cluster.Phase {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return "running"
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return cluster.PhaseTerminated
	}
	return cluster.PhaseFailed
}

// Served reports whether a worker polls the activity queue of a place now.
func (c *Client) Served(ctx context.Context, place string) bool {
	d, err := c.T.DescribeTaskQueue(ctx, cluster.ActivityQueue(place), enumspb.TASK_QUEUE_TYPE_ACTIVITY)
	return err == nil && len(d.GetPollers()) > 0
}
