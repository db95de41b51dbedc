package cluster

// TaskQueue is where every herd worker runs workflows, and the activities
// of clusters with no place (see ActivityQueue).
const TaskQueue = "herd"

// Workflow type names, as registered by the worker.
const (
	WorkflowCluster   = "ClusterWorkflow"
	WorkflowTerminate = "TerminateCluster"
	WorkflowScale     = "ScaleWorkflow"
)

// WorkflowIDPrefix starts the id of every cluster workflow.
const WorkflowIDPrefix = "cluster/"

// WorkflowID is the id of a cluster's workflow: one cluster, one workflow.
func WorkflowID(clusterName string) string { return WorkflowIDPrefix + clusterName }

// TerminateWorkflowID is the id of the workflow that cleans up after a
// cluster whose own workflow has ended.
func TerminateWorkflowID(clusterName string) string { return "terminate/" + clusterName }

// QueryStatus is the query name of a cluster workflow's Status.
const QueryStatus = "status"

// Update names of a cluster workflow.
const (
	UpdateScale     = "scale"
	UpdateStop      = "stop"
	UpdateStart     = "start"
	UpdateTerminate = "terminate"
	UpdateRepair    = "repair"
	UpdatePolicy    = "set-repair-policy"
	UpdateConfig    = "config"
	UpdateService   = "service"
	// UpdateAwaitProvisioned answers once provisioning ended (the cluster
	// is ready or failed): a client waits on it instead of looking again
	// and again. It is refused, and leaves nothing in history, when
	// provisioning already ended.
	UpdateAwaitProvisioned = "await-provisioned"
)

// SignalHealth carries the health watch's observations to a cluster's
// workflow.
const SignalHealth = "health"

// Search attribute names herd keeps current on every cluster workflow.
const (
	SACluster   = "HerdCluster"
	SAPhase     = "HerdPhase"
	SAProvider  = "HerdProvider"
	SABlueprint = "HerdBlueprint"
	SANodes     = "HerdNodes"
	SAHealth    = "HerdHealth"
)

// ScaleRequest asks for a host group to have Count nodes.
type ScaleRequest struct {
	HostGroup string `json:"host_group"`
	Count     int    `json:"count"`
}

// ClusterInput starts a cluster workflow, or continues one (State set).
type ClusterInput struct {
	Spec  Spec   `json:"spec"`
	State *State `json:"state,omitempty"`
	// ContinueAfterOps is how many operations a run handles before it
	// continues as new (500 by default; Temporal may suggest it earlier).
	ContinueAfterOps int `json:"continue_after_ops,omitempty"`
}

// State is what a cluster workflow knows and carries across
// continue-as-new.
type State struct {
	Spec      Spec       `json:"spec"`
	Nodes     []NodeInfo `json:"nodes"` // the server first
	Instances []Instance `json:"instances"`
	NextIndex int        `json:"next_index"`
	Launches  int        `json:"launches,omitempty"` // allocations made, for launch names
	Ops       int        `json:"ops"`                // operations since this run started
	Status    Status     `json:"status"`
}

// ReleaseInput names what to release: a cluster on one provider, or, with
// Provider empty, whatever any provider holds of it.
type ReleaseInput struct {
	Cluster  string            `json:"cluster"`
	Provider string            `json:"provider"`
	Options  map[string]string `json:"provider_options,omitempty"`
	// Place is where the release runs (see ActivityQueue).
	Place string `json:"place,omitempty"`
}

// Sweep is what a release across providers found and removed.
type Sweep struct {
	Released
	// Providers are those that held something of the cluster.
	Providers []string `json:"providers,omitempty"`
	// Unswept are providers that could not be searched, each with why and
	// how to fix it; non-empty means resources may remain.
	Unswept []string `json:"unswept,omitempty"`
}

// Server is the Ambari server node.
func (c *State) Server() NodeInfo { return c.Nodes[0] }

// NodeList returns the nodes without their runtime details.
func (c *State) NodeList() []Node {
	out := make([]Node, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Node
	}
	return out
}

// GroupSize counts the nodes in a host group.
func (c *State) GroupSize(group string) int {
	n := 0
	for _, node := range c.Nodes {
		if node.HostGroup == group {
			n++
		}
	}
	return n
}

// SetGroupCount records a host group's new node count in the spec.
func (c *State) SetGroupCount(group string, count int) {
	for i := range c.Spec.HostGroups {
		if c.Spec.HostGroups[i].Name == group {
			c.Spec.HostGroups[i].Count = count
		}
	}
}

// ScheduledScale is what a scale schedule starts ScaleWorkflow with.
type ScheduledScale struct {
	Cluster string       `json:"cluster"`
	Request ScaleRequest `json:"request"`
	// AutoscaleMin and AutoscaleMax, when set, change the bounds of the
	// cluster's autoscaling instead of scaling to a size.
	AutoscaleMin int `json:"autoscale_min,omitempty"`
	AutoscaleMax int `json:"autoscale_max,omitempty"`
	// Place is the cluster's: where the request is sent from.
	Place string `json:"place,omitempty"`
}
