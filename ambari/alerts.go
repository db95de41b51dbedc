package ambari

import "fmt"

// Alert definitions the emulator serves: Ambari's own for a host's
// heartbeat (server side) and its disk usage (the agent's
// alert_disk_space.py), with their ids, names and labels as in Ambari's
// alerts.json.
var (
	AlertHeartbeat = AlertDefinition{ID: 1, Name: "ambari_server_agent_heartbeat", Label: "Ambari Agent Heartbeat",
		Description: "This alert is triggered if the server has lost contact with an agent.",
		ServiceName: "AMBARI", ComponentName: "AMBARI_SERVER", Scope: "HOST", Interval: 2, Enabled: true, SourceType: "SERVER"}
	AlertDiskUsage = AlertDefinition{ID: 2, Name: "ambari_agent_disk_usage", Label: "Host Disk Usage",
		Description: "This host-level alert is triggered if the amount of disk space used goes above specific thresholds. The default threshold values are 50% for WARNING and 80% for CRITICAL.",
		ServiceName: "AMBARI", ComponentName: "AMBARI_AGENT", Scope: "HOST", Interval: 1, Enabled: true, SourceType: "SCRIPT"}
)

// AlertDefinition is one of Ambari's alert definitions.
type AlertDefinition struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	Label         string `json:"label"`
	Description   string `json:"description"`
	ServiceName   string `json:"service_name"`
	ComponentName string `json:"component_name"`
	Scope         string `json:"scope"`
	Interval      int    `json:"interval"`
	Enabled       bool   `json:"enabled"`
	SourceType    string `json:"-"`
}

// AgentAlert is an alert an agent ran on its host and reports in its
// heartbeat (Ambari's agents run the SCRIPT alerts and send their states).
type AgentAlert struct {
	Name      string `json:"name"`
	State     string `json:"state"` // OK, WARNING, CRITICAL, UNKNOWN
	Text      string `json:"text"`
	Timestamp int64  `json:"timestamp"` // epoch ms
}

// Thresholds of Ambari's disk usage alert: more than 50% used is a
// warning, more than 80% critical, and less than 5 GB free a warning.
const (
	DiskWarningPercent  = 50
	DiskCriticalPercent = 80
	DiskMinFree         = 5_000_000_000
)

// DiskUsageAlert is the state and text of Ambari's disk usage alert for a
// file system of total bytes, used and free (available) as statvfs says.
func DiskUsageAlert(total, used, free int64) (state, text string) {
	if total <= 0 {
		return "CRITICAL", "Unable to determine the disk usage"
	}
	percent := float64(used) / float64(total) * 100
	state = "OK"
	switch {
	case percent > DiskCriticalPercent:
		state = "CRITICAL"
	case percent > DiskWarningPercent:
		state = "WARNING"
	}
	text = fmt.Sprintf("Capacity Used: [%.2f%%, %s], Capacity Total: [%s]", percent, formatSize(used), formatSize(total))
	if state == "OK" && free < DiskMinFree {
		state = "WARNING"
		text += ". Total free space is less than " + formatSize(DiskMinFree)
	}
	return state, text
}

// formatSize writes bytes in decimal units, as Ambari's script does.
func formatSize(b int64) string {
	switch {
	case b < 1000:
		return fmt.Sprintf("%d B", b)
	case b < 1_000_000:
		return fmt.Sprintf("%.1f KB", float64(b)/1e3)
	case b < 1_000_000_000:
		return fmt.Sprintf("%.1f MB", float64(b)/1e6)
	case b < 1_000_000_000_000:
		return fmt.Sprintf("%.1f GB", float64(b)/1e9)
	}
	return fmt.Sprintf("%.1f TB", float64(b)/1e12)
}

// HeartbeatAlert is the state and text of Ambari's agent heartbeat alert
// for a host in hostState, in Ambari's words.
func HeartbeatAlert(host, hostState string) (state, text string) {
	switch hostState {
	case "INIT":
		return "OK", host + " is initializing"
	case HostHealthy:
		return "OK", host + " is healthy"
	case HostHeartbeatLost:
		return "CRITICAL", host + " is not sending heartbeats"
	}
	return "UNKNOWN", fmt.Sprintf("%s has an unknown state of %s", host, hostState)
}
