package cluster

import "time"

// Defaults of a cluster spec, used by the CLI, `herd up` and the workflow.
const (
	DefaultBlueprint      = "multi-node-hdfs-yarn"
	DefaultNodes          = 3
	DefaultProvider       = "docker"
	DefaultImage          = "herd-node:dev"
	DefaultDomain         = "herd.local"
	DefaultQuorumTimeout  = 2 * time.Minute
	DefaultInstallTimeout = 30 * time.Minute
	DefaultMaxGroupSize   = 100
	// DefaultDiskAlertPercent is how full a node's file system is before
	// herd raises a disk_usage alert.
	DefaultDiskAlertPercent = 90
	// MaxNodes is the largest cluster herd supports: the workflow carries
	// every node's state in one payload (its query answer, its input when
	// it continues as new), and at this size it stays a fraction of
	// Temporal's 2 MiB limit on a payload (see the codec's test).
	MaxNodes = 10000
)

// QuorumWait is how long to wait for every node to be alive in Serf.
func (s Spec) QuorumWait() time.Duration { return orDefault(s.QuorumTimeout, DefaultQuorumTimeout) }

// InstallWait is how long to wait for Ambari to install the blueprint.
func (s Spec) InstallWait() time.Duration { return orDefault(s.InstallTimeout, DefaultInstallTimeout) }

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// DiskAlert is how full (%) a node's file system gets before herd alerts.
func (s Spec) DiskAlert() int {
	if s.DiskAlertPercent > 0 {
		return s.DiskAlertPercent
	}
	return DefaultDiskAlertPercent
}
