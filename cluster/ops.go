package cluster

// WorkflowIDPrefix starts the id of every cluster workflow.
const WorkflowIDPrefix = "cluster/"

// WorkflowID is the id of a cluster's workflow: one cluster, one workflow.
func WorkflowID(clusterName string) string { return WorkflowIDPrefix + clusterName }

// Update names of a cluster workflow.
const (
	UpdateScale     = "scale"
	UpdateStop      = "stop"
	UpdateStart     = "start"
	UpdateTerminate = "terminate"
)

// ScaleRequest asks for a host group to have Count nodes.
type ScaleRequest struct {
	HostGroup string `json:"host_group"`
	Count     int    `json:"count"`
}
