package workflows

import (
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/providers"
)

// Phases of a cluster.
const (
	PhaseProvisioning = "provisioning"
	PhaseReady        = "ready"
	PhaseScaling      = "scaling"
	PhaseStopping     = "stopping"
	PhaseStopped      = "stopped"
	PhaseStarting     = "starting"
	PhaseTerminating  = "terminating"
	PhaseTerminated   = "terminated"
	PhaseCompensating = "compensating"
	PhaseFailed       = "failed"
)

// Phases lists every phase, for metrics.
var Phases = []string{PhaseProvisioning, PhaseReady, PhaseScaling, PhaseStopping, PhaseStopped,
	PhaseStarting, PhaseTerminating, PhaseTerminated, PhaseCompensating, PhaseFailed}

// Step and node states.
const (
	StatePending = "pending"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
)

// Step names.
const (
	StepAllocate    = "AllocateInstances"
	StepCloudInit   = "ApplyCloudInit"
	StepServer      = "StartServerContainer"
	StepAgents      = "StartAgentContainers"
	StepQuorum      = "WaitForSerfQuorum"
	StepBlueprint   = "SubmitBlueprint"
	StepPollRequest = "PollAmbariRequest"
	StepAddHosts    = "AddAmbariHosts"
	StepRemoveHosts = "RemoveAmbariHosts"
	StepRemoveNodes = "RemoveNodes"
	StepServices    = "SetServicesState"
	StepStopNodes   = "StopNodes"
	StepRelease     = "ReleaseCluster"
	StepRollback    = "RollBackNewNodes"
)

// ProvisionSteps are the provisioning steps, in order.
var ProvisionSteps = []string{StepAllocate, StepCloudInit, StepServer, StepAgents, StepQuorum, StepBlueprint, StepPollRequest}

// Status is what the "status" query answers at any moment.
type Status struct {
	Cluster   string              `json:"cluster"`
	Provider  string              `json:"provider"`
	Phase     string              `json:"phase"`
	Operation string              `json:"operation"`
	Steps     []StepStatus        `json:"steps"`
	Nodes     []NodeStatus        `json:"nodes"`
	AmbariURL string              `json:"ambari_url,omitempty"`
	SerfRPC   string              `json:"serf_rpc,omitempty"`
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

// Step returns the named step's status.
func (s Status) Step(name string) StepStatus {
	for _, st := range s.Steps {
		if st.Name == name {
			return st
		}
	}
	return StepStatus{Name: name}
}

// begin starts an operation with the given steps, all pending.
func (s *Status) begin(op, phase string, steps []string) {
	s.Operation, s.Phase, s.Error = op, phase, ""
	s.Steps = nil
	for _, name := range steps {
		s.Steps = append(s.Steps, StepStatus{Name: name, State: StatePending})
	}
}

func (s *Status) setStep(name, state, detail string) {
	for i := range s.Steps {
		if s.Steps[i].Name == name {
			s.Steps[i].State, s.Steps[i].Detail = state, detail
			return
		}
	}
	s.Steps = append(s.Steps, StepStatus{Name: name, State: state, Detail: detail})
}

func (s *Status) setNode(n cluster.Node, ip, state string) {
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

func (s *Status) dropNode(name string) {
	kept := s.Nodes[:0]
	for _, n := range s.Nodes {
		if n.Name != name {
			kept = append(kept, n)
		}
	}
	s.Nodes = kept
}

// ClusterState is what a cluster workflow knows and carries across
// continue-as-new.
type ClusterState struct {
	Spec      cluster.Spec         `json:"spec"`
	Nodes     []cluster.NodeInfo   `json:"nodes"` // the server first
	Instances []providers.Instance `json:"instances"`
	NextIndex int                  `json:"next_index"`
	Ops       int                  `json:"ops"` // operations since this run started
	Status    Status               `json:"status"`
}

// Server is the Ambari server node.
func (c *ClusterState) Server() cluster.NodeInfo { return c.Nodes[0] }

// NodeList returns the nodes without their runtime details.
func (c *ClusterState) NodeList() []cluster.Node {
	out := make([]cluster.Node, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Node
	}
	return out
}

// GroupSize counts the nodes in a host group.
func (c *ClusterState) GroupSize(group string) int {
	n := 0
	for _, node := range c.Nodes {
		if node.HostGroup == group {
			n++
		}
	}
	return n
}

func (c *ClusterState) setGroupCount(group string, count int) {
	for i := range c.Spec.HostGroups {
		if c.Spec.HostGroups[i].Name == group {
			c.Spec.HostGroups[i].Count = count
		}
	}
}
