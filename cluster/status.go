package cluster

import (
	"fmt"
	"time"
)

// Phase is where a cluster is in its life.
type Phase string

// Phases of a cluster.
const (
	PhaseProvisioning Phase = "provisioning"
	PhaseReady        Phase = "ready"
	PhaseScaling      Phase = "scaling"
	PhaseRepairing    Phase = "repairing"
	PhaseStopping     Phase = "stopping"
	PhaseStopped      Phase = "stopped"
	PhaseStarting     Phase = "starting"
	PhaseTerminating  Phase = "terminating"
	PhaseTerminated   Phase = "terminated"
	PhaseCompensating Phase = "compensating"
	PhaseFailed       Phase = "failed"
)

// Phases lists every phase, for metrics.
var Phases = []Phase{PhaseProvisioning, PhaseReady, PhaseScaling, PhaseRepairing, PhaseStopping, PhaseStopped,
	PhaseStarting, PhaseTerminating, PhaseTerminated, PhaseCompensating, PhaseFailed}

// Settled reports whether no operation is under way in this phase.
func (p Phase) Settled() bool {
	switch p {
	case PhaseReady, PhaseStopped, PhaseFailed, PhaseTerminated:
		return true
	}
	return false
}

// Provisioning reports whether a cluster in this phase is still being
// provisioned, or released after its provisioning failed.
func (p Phase) Provisioning() bool {
	return p == PhaseProvisioning || p == PhaseCompensating
}

// StepState is where one step of an operation is.
type StepState string

// Step states.
const (
	StepPending StepState = "pending"
	StepRunning StepState = "running"
	StepDone    StepState = "done"
	StepFailed  StepState = "failed"
)

// NodeState is where one node's container is.
type NodeState string

// Node states.
const (
	NodePending  NodeState = "pending"
	NodeStarting NodeState = "starting"
	NodeUp       NodeState = "up"
	NodeFailed   NodeState = "failed"
	NodeStopped  NodeState = "stopped"
)

// Status is what a cluster workflow's status query answers at any moment.
type Status struct {
	Cluster   string       `json:"cluster"`
	Provider  string       `json:"provider"`
	Place     string       `json:"place,omitempty"`
	Phase     Phase        `json:"phase"`
	Operation string       `json:"operation"`
	Steps     []StepStatus `json:"steps"`
	Nodes     []NodeStatus `json:"nodes"`
	AmbariURL string       `json:"ambari_url,omitempty"`
	SerfRPC   string       `json:"serf_rpc,omitempty"`
	RequestID int64        `json:"request_id,omitempty"`
	Error     string       `json:"error,omitempty"`
	Released  *Released    `json:"released,omitempty"`
	// Health is the cluster's health; Repair its repair policy.
	Health Health       `json:"health,omitempty"`
	Repair RepairPolicy `json:"repair"`
	// Failures and Repairs count node failures seen and repairs done.
	Failures int `json:"failures,omitempty"`
	Repairs  int `json:"repairs,omitempty"`
	// HealthLog is the latest changes of node health, oldest first.
	HealthLog []HealthEvent `json:"health_log,omitempty"`
	// Alerts are the latest alerts raised, oldest first (AlertLogSize).
	Alerts []Alert `json:"alerts,omitempty"`
}

// StepStatus is one step's state.
type StepStatus struct {
	Name   string    `json:"name"`
	State  StepState `json:"state"`
	Detail string    `json:"detail,omitempty"`
}

// NodeStatus is one node's state and health.
type NodeStatus struct {
	Node
	IP          string     `json:"ip,omitempty"`
	State       NodeState  `json:"state"`
	Health      NodeHealth `json:"health,omitempty"`
	HealthSince time.Time  `json:"health_since,omitempty"`
	// DiskFull is the node's file system past the disk alert threshold,
	// as the health watch last saw it ("/ 93%").
	DiskFull string `json:"disk_full,omitempty"`
}

// Step returns the named step's status.
func (s Status) Step(name string) StepStatus {
	for _, st := range s.Steps {
		if st.Name == name {
			return st
		}
	}
	return StepStatus{Name: name}
}

// Failed is the cluster's failure as an error, nil unless it failed.
func (s Status) Failed() error {
	if s.Phase == PhaseFailed {
		return fmt.Errorf("cluster %s failed: %s", s.Cluster, s.Error)
	}
	return nil
}

// Begin starts an operation with the given steps, all pending.
func (s *Status) Begin(op string, phase Phase, steps []string) {
	s.Operation, s.Phase, s.Error = op, phase, ""
	s.Steps = nil
	for _, name := range steps {
		s.Steps = append(s.Steps, StepStatus{Name: name, State: StepPending})
	}
}

// SetStep records a step's state, adding the step when it is new.
func (s *Status) SetStep(name string, state StepState, detail string) {
	for i := range s.Steps {
		if s.Steps[i].Name == name {
			s.Steps[i].State, s.Steps[i].Detail = state, detail
			return
		}
	}
	s.Steps = append(s.Steps, StepStatus{Name: name, State: state, Detail: detail})
}

// SetNode records a node's state (and IP, when given), adding it when new.
func (s *Status) SetNode(n Node, ip string, state NodeState) {
	for i := range s.Nodes {
		if s.Nodes[i].Name == n.Name {
			s.Nodes[i].State = state
			if ip != "" {
				s.Nodes[i].IP = ip
			}
			return
		}
	}
	s.Nodes = append(s.Nodes, NodeStatus{Node: n, IP: ip, State: state})
}

// DropNode forgets a node.
func (s *Status) DropNode(name string) {
	kept := s.Nodes[:0]
	for _, n := range s.Nodes {
		if n.Name != name {
			kept = append(kept, n)
		}
	}
	s.Nodes = kept
}

// OpResult is what an operation (an update of the cluster workflow) answers.
type OpResult struct {
	Operation string `json:"operation"`
	Phase     Phase  `json:"phase"`
	Nodes     int    `json:"nodes"`
	RequestID int64  `json:"request_id,omitempty"`
}

// Released says what a release removed.
type Released struct {
	Containers int `json:"containers"`
	Networks   int `json:"networks"`
	Instances  int `json:"instances"`
	Volumes    int `json:"volumes,omitempty"`
}

// Add sums two releases.
func (r Released) Add(o Released) Released {
	return Released{Containers: r.Containers + o.Containers, Networks: r.Networks + o.Networks,
		Instances: r.Instances + o.Instances, Volumes: r.Volumes + o.Volumes}
}

// Progress is what a running step reports as it goes (its heartbeat):
// "2/3 alive", or an Ambari request's status and percentage.
type Progress struct {
	Text    string  `json:"text,omitempty"`
	Status  string  `json:"status,omitempty"`
	Percent float64 `json:"percent,omitempty"`
	Done    int     `json:"done,omitempty"`
	Total   int     `json:"total,omitempty"`
}

func (p Progress) String() string {
	if p.Status == "" {
		return p.Text
	}
	return fmt.Sprintf("%s %.0f%% (%d/%d tasks)", p.Status, p.Percent, p.Done, p.Total)
}
