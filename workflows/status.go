package workflows

import (
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
)

// Step names, in the order ProvisionCluster runs them.
const (
	StepAllocate    = "AllocateInstances"
	StepCloudInit   = "ApplyCloudInit"
	StepServer      = "StartServerContainer"
	StepAgents      = "StartAgentContainers"
	StepQuorum      = "WaitForSerfQuorum"
	StepBlueprint   = "SubmitBlueprint"
	StepPollRequest = "PollAmbariRequest"
)

// Steps lists the provisioning steps in order.
var Steps = []string{StepAllocate, StepCloudInit, StepServer, StepAgents, StepQuorum, StepBlueprint, StepPollRequest}

// Phases of a cluster's provisioning.
const (
	PhaseProvisioning = "provisioning"
	PhaseReady        = "ready"
	PhaseCompensating = "compensating"
	PhaseFailed       = "failed"
)

// Step states.
const (
	StatePending = "pending"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
)

// Status is what the "status" query answers at any moment.
type Status struct {
	Cluster   string              `json:"cluster"`
	Provider  string              `json:"provider"`
	Phase     string              `json:"phase"`
	Steps     []StepStatus        `json:"steps"`
	Nodes     []NodeStatus        `json:"nodes"`
	AmbariURL string              `json:"ambari_url,omitempty"`
	RequestID int64               `json:"request_id,omitempty"`
	Error     string              `json:"error,omitempty"`
	Released  *providers.Released `json:"released,omitempty"`
}

// StepStatus is one step's state.
type StepStatus struct {
	Name   string `json:"name"`
	State  string `json:"state"`
	Detail string `json:"detail,omitempty"`
}

// NodeStatus is one node's state.
type NodeStatus struct {
	cluster.Node
	IP    string `json:"ip,omitempty"`
	State string `json:"state"`
}

func newStatus(spec cluster.Spec) *Status {
	st := &Status{Cluster: spec.Name, Provider: spec.Provider, Phase: PhaseProvisioning}
	for _, name := range Steps {
		st.Steps = append(st.Steps, StepStatus{Name: name, State: StatePending})
	}
	for _, n := range spec.Nodes() {
		st.Nodes = append(st.Nodes, NodeStatus{Node: n, State: StatePending})
	}
	return st
}

func (s *Status) setStep(name, state, detail string) {
	for i := range s.Steps {
		if s.Steps[i].Name == name {
			s.Steps[i].State, s.Steps[i].Detail = state, detail
		}
	}
}

func (s *Status) setNode(info cluster.NodeInfo, state string) {
	for i := range s.Nodes {
		if s.Nodes[i].Name == info.Name {
			s.Nodes[i].State = state
			if info.IP != "" {
				s.Nodes[i].IP = info.IP
			}
		}
	}
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
