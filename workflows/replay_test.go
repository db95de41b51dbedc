package workflows

import (
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
)

// TestReplayRecordedHistories replays every history under
// testdata/histories/RELEASE/: each release records its own (a cluster's
// life with scaling, stop and start, repair, continue-as-new, a cluster at
// a place, scheduled scaling, autoscaling, a sweep) and leaves the earlier
// releases' as they are, and every later release must replay them all,
// since cluster workflows outlive releases. Record the current release's
// with HERD_RECORD_HISTORY=1 go test ./e2e (the directory is the e2e
// package's release constant).
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no histories to replay: %v", err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join("testdata", "histories"), f)
		t.Run(rel, func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflow(ClusterWorkflow)
			r.RegisterWorkflow(TerminateCluster)
			r.RegisterWorkflow(ScaleWorkflow)
			r.RegisterWorkflow(AutoscaleWorkflow)
			r.RegisterWorkflow(NotifyWorkflow)
			r.RegisterWorkflow(DeliverAlertWorkflow)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestThisReleaseRecordedItsHistories: the current release's directory
// holds a history of every kind of workflow run, so that none goes
// unchecked by later releases.
func TestThisReleaseRecordedItsHistories(t *testing.T) {
	for _, name := range []string{"lifecycle.json", "self-healing.json", "continue-as-new.json", "placed.json",
		"scheduled-scale.json", "scheduled-bounds.json", "autoscale.json", "terminate-sweep.json",
		"alerts.json", "alert-delivery.json", "notify-targets.json"} {
		if _, err := os.Stat(filepath.Join("testdata", "histories", "release-5", name)); err != nil {
			t.Errorf("release-5 has no recorded %s: %v", name, err)
		}
	}
}
