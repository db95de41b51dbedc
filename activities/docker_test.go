package activities_test

import (
	"strings"
	"testing"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
)

func TestMissingImageIsNotRetried(t *testing.T) {
	f := newFixture(t, dockerBackend, "actnoimg", nil)
	f.spec.Image = "herd-node:does-not-exist"
	var inst []cluster.Instance
	f.must(&inst, f.acts.AllocateInstances, f.all())
	err := f.run(nil, f.acts.ApplyCloudInit, activities.CloudInitInput{NodesInput: f.all(), Instances: inst})
	nonRetryable(t, err, activities.ErrImageNotFound)
	if !strings.Contains(err.Error(), "make image") {
		t.Fatalf("error must say how to fix it: %v", err)
	}
}
