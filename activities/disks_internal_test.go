package activities

import (
	"testing"

	"github.com/herdhq/herd/contract"
)

func TestFullestNamesTheFullestDiskPastThePercent(t *testing.T) {
	disks := []contract.Disk{{Mount: "/", Total: 100, Free: 15}, {Mount: "/var/lib/herd", Total: 100, Free: 5}, {Mount: "/data", Total: 0}}
	if got := fullest(disks, 90); got != "/var/lib/herd 95%" {
		t.Errorf("90%%: %q", got)
	}
	if got := fullest(disks, 96); got != "" {
		t.Errorf("96%%: %q, want none", got)
	}
	if got := fullest(disks, 80); got != "/var/lib/herd 95%" {
		t.Errorf("80%%: %q, want the fullest", got)
	}
}
