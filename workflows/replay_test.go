package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
)

// TestReplayRecordedHistories replays every history under
// testdata/histories: each release keeps the ones it recorded (a cluster's
// whole life, self-healing), and every later release must replay them all,
// since cluster workflows outlive releases. Re-record the current ones with
// HERD_RECORD_HISTORY=1 go test ./e2e; files named v1-* come from the
// release before health was followed, and stay as they are.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no histories to replay: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflow(ClusterWorkflow)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatal(err)
			}
		})
	}
}
