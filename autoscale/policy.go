package autoscale

import (
	"fmt"
	"time"

	"github.com/herdhq/herd/ambari"
)

// QueueMetrics are the resource manager's queue metrics a rule reads.
type QueueMetrics = ambari.QueueMetrics

func value(m QueueMetrics, metric string) float64 {
	return float64(map[string]int64{"AppsPending": m.AppsPending, "AppsRunning": m.AppsRunning,
		"PendingContainers": m.PendingContainers, "AllocatedContainers": m.AllocatedContainers,
		"AllocatedMB": m.AllocatedMB, "AvailableMB": m.AvailableMB}[metric])
}

// Policy is a cluster's autoscaling: the host group it sizes within
// [Min, Max], its rules (the first that fires acts), the cooldown after an
// action, and how often metrics are read.
type Policy struct {
	Cluster   string        `json:"cluster"`
	HostGroup string        `json:"host_group"`
	Min       int           `json:"min"`
	Max       int           `json:"max"`
	Cooldown  time.Duration `json:"cooldown"`
	Interval  time.Duration `json:"interval"`
	Rules     []Rule        `json:"rules"`
	Enabled   bool          `json:"enabled"`
}

// Defaults for a policy's clocks.
const (
	DefaultCooldown = 2 * time.Minute
	DefaultInterval = 15 * time.Second
)

// Validate checks the policy against the host group's blueprint bounds
// [groupMin, groupMax]; each refusal names the fix.
func (p Policy) Validate(groupMin, groupMax int) error {
	switch {
	case p.HostGroup == "":
		return fmt.Errorf("autoscaling needs --host-group: the group whose nodes it adds and removes")
	case p.Min < groupMin || p.Max > groupMax:
		return fmt.Errorf("--min %d --max %d: host group %q can have %d to %d nodes", p.Min, p.Max, p.HostGroup, groupMin, groupMax)
	case p.Min > p.Max:
		return fmt.Errorf("--min %d is above --max %d: give min <= max", p.Min, p.Max)
	case len(p.Rules) == 0:
		return fmt.Errorf("no rule: give at least one --rule such as \"PendingContainers > 0 for 1m: +2\"")
	case p.Cooldown < 0 || p.Cooldown > 24*time.Hour:
		return fmt.Errorf("--cooldown %s: give a duration from 0s to 24h", p.Cooldown)
	case p.Interval < time.Second || p.Interval > time.Hour:
		return fmt.Errorf("--interval %s: give a duration from 1s to 1h", p.Interval)
	}
	for _, r := range p.Rules {
		if r.Action.Kind == "set" && (r.Action.Count < p.Min || r.Action.Count > p.Max) {
			return fmt.Errorf("rule %q sets %d nodes, outside --min %d --max %d", r, r.Action.Count, p.Min, p.Max)
		}
	}
	return nil
}
