package workflows

import (
	"testing"

	"go.temporal.io/sdk/worker"
)

// TestReplayRecordedHistory replays a history recorded by the end-to-end
// test (HERD_RECORD_HISTORY=1 go test ./e2e): a change that makes the
// workflow non-deterministic fails here.
func TestReplayRecordedHistory(t *testing.T) {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflow(ProvisionCluster)
	if err := r.ReplayWorkflowHistoryFromJSONFile(nil, "testdata/provision_history.json"); err != nil {
		t.Fatal(err)
	}
}
