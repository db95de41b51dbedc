package ambari

import "testing"

// Ambari's disk usage alert: over 50% used warns, over 80% is critical,
// under 5 GB free warns when the percentage does not; its words and units.
func TestDiskUsageAlert(t *testing.T) {
	cases := []struct {
		total, used, free int64
		state, text       string
	}{
		{100e9, 40e9, 60e9, "OK", "Capacity Used: [40.00%, 40.0 GB], Capacity Total: [100.0 GB]"},
		{100e9, 60e9, 40e9, "WARNING", "Capacity Used: [60.00%, 60.0 GB], Capacity Total: [100.0 GB]"},
		{100e9, 85e9, 15e9, "CRITICAL", "Capacity Used: [85.00%, 85.0 GB], Capacity Total: [100.0 GB]"},
		{8e9, 2e9, 4e9, "WARNING", "Capacity Used: [25.00%, 2.0 GB], Capacity Total: [8.0 GB]. Total free space is less than 5.0 GB"},
		{0, 0, 0, "CRITICAL", "Unable to determine the disk usage"},
		{2_500_000, 500, 2_000_000, "WARNING", "Capacity Used: [0.02%, 500 B], Capacity Total: [2.5 MB]. Total free space is less than 5.0 GB"},
	}
	for _, c := range cases {
		if state, text := DiskUsageAlert(c.total, c.used, c.free); state != c.state || text != c.text {
			t.Errorf("%d/%d/%d: %s %q, want %s %q", c.total, c.used, c.free, state, text, c.state, c.text)
		}
	}
	if s, txt := HeartbeatAlert("h.d", HostHeartbeatLost); s != "CRITICAL" || txt != "h.d is not sending heartbeats" {
		t.Errorf("heartbeat lost: %s %q", s, txt)
	}
}
