package ambari

// DecommissionMasters maps each component Ambari decommissions to the
// service and master component that carry it out.
var DecommissionMasters = map[string][2]string{
	"DATANODE":           {"HDFS", "NAMENODE"},
	"NODEMANAGER":        {"YARN", "RESOURCEMANAGER"},
	"HBASE_REGIONSERVER": {"HBASE", "HBASE_MASTER"},
}

// CommandRequest is the body of POST /clusters/{c}/requests: a custom
// command, a decommission or a service check, on the components its
// resource filters name.
type CommandRequest struct {
	RequestInfo CommandInfo      `json:"RequestInfo"`
	Filters     []ResourceFilter `json:"Requests/resource_filters"`
}

// CommandInfo names the command and its parameters.
type CommandInfo struct {
	Context    string            `json:"context"`
	Command    string            `json:"command"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

// ResourceFilter selects a service, a component and (comma-separated)
// hosts.
type ResourceFilter struct {
	ServiceName   string `json:"service_name"`
	ComponentName string `json:"component_name,omitempty"`
	Hosts         string `json:"hosts,omitempty"`
}

// HostRoles is a component on a host: its state and admin state
// (INSERVICE, DECOMMISSIONED).
type HostRoles struct {
	ClusterName       string `json:"cluster_name"`
	ComponentName     string `json:"component_name"`
	HostName          string `json:"host_name"`
	ServiceName       string `json:"service_name"`
	State             string `json:"state"`
	DesiredAdminState string `json:"desired_admin_state"`
	StaleConfigs      bool   `json:"stale_configs"`
}

// QueueMetrics are the resource manager's YARN queue metrics, Ambari's
// metrics/yarn/Queue/root: what an autoscaler reads.
type QueueMetrics struct {
	AppsSubmitted       int64 `json:"AppsSubmitted"`
	AppsPending         int64 `json:"AppsPending"`
	AppsRunning         int64 `json:"AppsRunning"`
	AppsCompleted       int64 `json:"AppsCompleted"`
	PendingContainers   int64 `json:"PendingContainers"`
	AllocatedContainers int64 `json:"AllocatedContainers"`
	AllocatedMB         int64 `json:"AllocatedMB"`
	AvailableMB         int64 `json:"AvailableMB"`
}
