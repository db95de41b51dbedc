package docker

import (
	"strings"
	"testing"

	"github.com/herdhq/herd/providers"
)

// On a stock kernel (1,024 entries), 30 nodes fit; 100 do not, and the
// refusal names the sysctl and values that would hold them. Clusters
// running beside count too.
func TestNeighbourRoom(t *testing.T) {
	if err := neighbourRoom(map[string]int{}, "c", 30, 1024); err != nil {
		t.Fatalf("30 nodes fit a stock kernel: %v", err)
	}
	err := neighbourRoom(map[string]int{"other": 2}, "big", 100, 1024)
	if _, ok := providers.AsPermanent(err); !ok {
		t.Fatalf("100 nodes must be refused as permanent: %v", err)
	}
	for _, want := range []string{"cluster big would have 100 nodes", "the 2 other containers", "about 10004 neighbour", "at most 1024",
		"sysctl -w net.ipv4.neigh.default.gc_thresh1=8192 net.ipv4.neigh.default.gc_thresh2=16384 net.ipv4.neigh.default.gc_thresh3=32768"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q lacks %q", err, want)
		}
	}
	if err := neighbourRoom(map[string]int{"c": 20, "d": 20}, "c", 5, 1024); err == nil {
		t.Fatal("a scale-up counts the nodes the cluster has: 25² + 20² > 1024")
	}
	if err := neighbourRoom(map[string]int{}, "big", 100, 16384); err != nil {
		t.Fatalf("a raised limit holds 100 nodes: %v", err)
	}
}
