package workflows

import (
	"testing"

	"go.temporal.io/sdk/worker"
)

// TestReplayRecordedHistory replays a cluster's history recorded by the
// end-to-end test (provision, scale up and down, a refused scale, stop,
// start, a scheduled scale; re-record with HERD_RECORD_HISTORY=1 go test
// ./e2e): a change that makes the workflow non-deterministic fails here.
func TestReplayRecordedHistory(t *testing.T) {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflow(ClusterWorkflow)
	if err := r.ReplayWorkflowHistoryFromJSONFile(nil, "testdata/cluster_history.json"); err != nil {
		t.Fatal(err)
	}
}
