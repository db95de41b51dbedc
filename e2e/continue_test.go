package e2e

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/visibility"
)

// TestContinueAsNewKeepsTheCluster: a cluster's workflow that continues as
// new after every operation (as a long-lived one does when its history
// grows) keeps its cluster whole across runs on a real server, and the
// next run goes on operating it.
func TestContinueAsNewKeepsTheCluster(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	spec := s.spec("can", 3)
	dockertest.Release(t, s.p, spec.Name)
	first, err := s.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: cluster.WorkflowID(spec.Name), TaskQueue: cluster.TaskQueue, TypedSearchAttributes: visibility.Initial(spec),
	}, cluster.WorkflowCluster, cluster.ClusterInput{Spec: spec, ContinueAfterOps: 1})
	if err != nil {
		t.Fatal(err)
	}
	firstRun := first.GetRunID()
	wctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	if _, err := s.herd.WaitProvisioned(wctx, spec.Name, nil); err != nil {
		t.Fatal(err)
	}
	s.scale(spec.Name, 3, 4)
	var st enumspb.WorkflowExecutionStatus
	err = poll.Until(wctx, 200*time.Millisecond, func(ctx context.Context) (bool, error) {
		d, err := s.c.DescribeWorkflowExecution(ctx, cluster.WorkflowID(spec.Name), firstRun)
		st = d.GetWorkflowExecutionInfo().GetStatus()
		return st == enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW, err
	})
	if err != nil {
		t.Fatalf("the first run is %s (%v), not continued as new", st, err)
	}
	s.checkSize(spec.Name, 4)
	s.recordRun(cluster.WorkflowID(spec.Name), firstRun, "continue-as-new.json")
	s.scale(spec.Name, 1, 2)
	if _, err := s.herd.Terminate(ctx, spec.Name, cluster.ReleaseInput{}); err != nil {
		t.Fatal(err)
	}
	if left := s.leftovers(spec.Name); left != "" {
		t.Fatalf("terminate left %s", left)
	}
}
