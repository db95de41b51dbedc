package cluster

import (
	"fmt"
	"strings"
	"time"

	"github.com/herdhq/herd/ambari"
)

// NodeHealth is what herd last saw of a node in Serf and Ambari.
type NodeHealth string

// Node health: alive in Serf with a heartbeat in Ambari; suspect (alive in
// Serf, its Ambari heartbeat lost, or not seen at all yet); failed in Serf
// (or herd cannot reach it); left Serf without being told to; interrupted:
// a spot instance told to go (it has two minutes).
const (
	NodeAlive       NodeHealth = "alive"
	NodeSuspect     NodeHealth = "suspect"
	NodeDown        NodeHealth = "failed"
	NodeLeft        NodeHealth = "left"
	NodeInterrupted NodeHealth = "interrupted"
)

// Down reports whether a node in this health needs repair.
func (h NodeHealth) Down() bool { return h == NodeDown || h == NodeLeft || h == NodeInterrupted }

// Health is a cluster's health as a whole.
type Health string

// Cluster health.
const (
	Healthy   Health = "healthy"
	Degraded  Health = "degraded"
	Repairing Health = "repairing"
)

// RepairMode says whether herd replaces lost nodes by itself.
type RepairMode string

// Repair modes.
const (
	RepairAuto   RepairMode = "auto"
	RepairManual RepairMode = "manual"
)

// DefaultRepairAfter is how long a node stays down before auto repair
// replaces it: a short blip does not replace a node.
const DefaultRepairAfter = 30 * time.Second

// RepairPolicy is a cluster's repair policy.
type RepairPolicy struct {
	Mode  RepairMode    `json:"mode"`
	After time.Duration `json:"after"`
}

// WithDefaults fills what is not set: auto, after DefaultRepairAfter.
func (p RepairPolicy) WithDefaults() RepairPolicy {
	if p.Mode == "" {
		p.Mode = RepairAuto
	}
	if p.After == 0 {
		p.After = DefaultRepairAfter
	}
	return p
}

// Validate checks a policy; the error says what to give.
func (p RepairPolicy) Validate() error {
	if p.Mode != RepairAuto && p.Mode != RepairManual {
		return fmt.Errorf("repair mode %q: use %s or %s", p.Mode, RepairAuto, RepairManual)
	}
	if p.After < time.Second || p.After > 24*time.Hour {
		return fmt.Errorf("repair-after %s: give a duration from 1s to 24h, e.g. 30s", p.After)
	}
	return nil
}

// RepairRequest asks for nodes to be replaced; no names means every node
// that is down.
type RepairRequest struct {
	Nodes []string `json:"nodes,omitempty"`
}

// Observation is what the health watch saw of a cluster at one moment:
// every member the server's Serf agent knows and each host's state in
// Ambari. It is sent whole, so a lost one is made good by the next.
type Observation struct {
	// Reachable is false when herd could not reach the server's Serf
	// agent: the server is down or cut off, and nothing is known of the
	// others.
	Reachable bool        `json:"reachable"`
	Members   []MemberObs `json:"members,omitempty"` // sorted by name
	Error     string      `json:"error,omitempty"`
}

// MemberObs is one member as the watch saw it.
type MemberObs struct {
	Name   string `json:"name"`             // FQDN
	Serf   string `json:"serf"`             // alive, leaving, left, failed
	Ambari string `json:"ambari,omitempty"` // HEALTHY, HEARTBEAT_LOST; empty: not registered
	// Interruption is a spot node's interruption notice, as it told Serf.
	Interruption string `json:"interruption,omitempty"`
	// DiskFull names the node's fullest file system when it is fuller than
	// the cluster's disk alert threshold ("/ 93%"); empty otherwise.
	DiskFull string `json:"disk_full,omitempty"`
}

// HealthOf is the health an observation gives a node, and whether it says
// anything of it (nothing is known of agents while the server is
// unreachable).
func (o Observation) HealthOf(n Node) (NodeHealth, bool) {
	if !o.Reachable {
		return NodeDown, n.IsServer()
	}
	for _, m := range o.Members {
		if m.Name != n.FQDN {
			continue
		}
		switch m.Serf {
		case "alive":
			if m.Interruption != "" {
				return NodeInterrupted, true
			}
			if m.Ambari == ambari.HostHeartbeatLost {
				return NodeSuspect, true
			}
			return NodeAlive, true
		case "leaving", "left":
			return NodeLeft, true
		}
		return NodeDown, true
	}
	return NodeDown, true // not a member at all: it never joined, or was reaped
}

// HealthEvent is one change of a node's health.
type HealthEvent struct {
	At   time.Time  `json:"at"`
	Node string     `json:"node"`
	From NodeHealth `json:"from"`
	To   NodeHealth `json:"to"`
}

func (e HealthEvent) String() string {
	return fmt.Sprintf("%s %s: %s -> %s", e.At.UTC().Format(time.TimeOnly), e.Node, e.From, e.To)
}

// Down lists the nodes that are down, with since when, for people.
func (s Status) Down() string {
	var out []string
	for _, n := range s.Nodes {
		if n.Health.Down() || n.Health == NodeSuspect {
			out = append(out, fmt.Sprintf("%s %s since %s", n.Name, n.Health, n.HealthSince.UTC().Format(time.TimeOnly)))
		}
	}
	return strings.Join(out, ", ")
}
