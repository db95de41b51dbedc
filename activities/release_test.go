package activities_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/aws"
)

// A cluster whose provider is unknown is swept everywhere: what a provider
// holds is removed, and a provider that cannot be searched without its
// options is named with the fix, never skipped in silence.
func TestSweepFindsTheClusterAndNamesWhatItCouldNotSearch(t *testing.T) {
	f := newFixture(t, inprocBackend, "actsweep", nil)
	f.startCluster()
	f.acts.Providers["aws"] = aws.New(f.acts.Master, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var sw cluster.Sweep
	f.must(&sw, f.acts.SweepCluster, cluster.ReleaseInput{Cluster: f.spec.Name})
	if sw.Containers != 3 || len(sw.Providers) != 1 || sw.Providers[0] != "inproc" || len(f.nodes()) != 0 {
		t.Fatalf("sweep: %+v, left %v", sw, f.nodes())
	}
	if len(sw.Unswept) != 1 || !strings.HasPrefix(sw.Unswept[0], "aws: ") || !strings.Contains(sw.Unswept[0], "region is missing") ||
		!strings.Contains(sw.Unswept[0], "--provider aws") {
		t.Fatalf("aws must be named as not searched, with the fix: %v", sw.Unswept)
	}
	var again cluster.Sweep
	f.must(&again, f.acts.SweepCluster, cluster.ReleaseInput{Cluster: f.spec.Name})
	if again.Released != (cluster.Released{}) || len(again.Providers) != 0 {
		t.Fatalf("a second sweep finds nothing: %+v", again)
	}
}

func TestUnknownProviderIsNotRetried(t *testing.T) {
	f := newFixture(t, inprocBackend, "actunknown", nil)
	f.acts.Providers = providers.Registry{}
	err := f.run(nil, f.acts.AllocateInstances, f.all())
	nonRetryable(t, err, "UnknownProvider")
}
