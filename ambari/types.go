// Package ambari is a client for Apache Ambari's v1 REST API, with the JSON
// shapes the API uses, and the stack definitions herd validates blueprints
// against before anything is created.
package ambari

// Blueprint is an Ambari blueprint as posted to /api/v1/blueprints/{name}.
type Blueprint struct {
	Href           string           `json:"href,omitempty"`
	Configurations []map[string]any `json:"configurations,omitempty"`
	HostGroups     []HostGroup      `json:"host_groups"`
	Blueprints     BlueprintInfo    `json:"Blueprints"`
}

// HostGroup is one host group of a blueprint.
type HostGroup struct {
	Name           string           `json:"name"`
	Components     []Component      `json:"components"`
	Cardinality    string           `json:"cardinality,omitempty"`
	Configurations []map[string]any `json:"configurations,omitempty"`
}

// Component names one service component placed in a host group.
type Component struct {
	Name string `json:"name"`
}

// BlueprintInfo is the "Blueprints" object of a blueprint.
type BlueprintInfo struct {
	BlueprintName string `json:"blueprint_name,omitempty"`
	StackName     string `json:"stack_name"`
	StackVersion  string `json:"stack_version"`
}

// ClusterTemplate is the cluster-creation template posted to /clusters/{name}.
type ClusterTemplate struct {
	Blueprint       string              `json:"blueprint"`
	DefaultPassword string              `json:"default_password,omitempty"`
	HostGroups      []TemplateHostGroup `json:"host_groups"`
	Configurations  []map[string]any    `json:"configurations,omitempty"`
}

// TemplateHostGroup maps a blueprint host group to hosts, by FQDN or count.
type TemplateHostGroup struct {
	Name           string           `json:"name"`
	Hosts          []TemplateHost   `json:"hosts,omitempty"`
	HostCount      int              `json:"host_count,omitempty"`
	HostPredicate  string           `json:"host_predicate,omitempty"`
	Configurations []map[string]any `json:"configurations,omitempty"`
}

// TemplateHost names one host by FQDN.
type TemplateHost struct {
	FQDN string `json:"fqdn"`
}

// Accepted is the 202 answer to an asynchronous call.
type Accepted struct {
	Href     string       `json:"href"`
	Requests AcceptedInfo `json:"Requests"`
}

// AcceptedInfo identifies the request an asynchronous call created.
type AcceptedInfo struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
}

// Request is GET /clusters/{c}/requests/{id}.
type Request struct {
	Href     string      `json:"href,omitempty"`
	Requests RequestInfo `json:"Requests"`
	Tasks    []TaskItem  `json:"tasks,omitempty"`
	Stages   []StageItem `json:"stages,omitempty"`
}

// StageItem is one entry of a request's "stages" list.
type StageItem struct {
	Href  string `json:"href,omitempty"`
	Stage Stage  `json:"Stage"`
}

// Stage is a step of a request whose tasks run together.
type Stage struct {
	StageID         int64   `json:"stage_id"`
	RequestID       int64   `json:"request_id"`
	ClusterName     string  `json:"cluster_name"`
	Context         string  `json:"context"`
	Status          string  `json:"status"`
	ProgressPercent float64 `json:"progress_percent"`
	StartTime       int64   `json:"start_time"`
	EndTime         int64   `json:"end_time"`
}

// RequestInfo is the "Requests" object of a request.
type RequestInfo struct {
	ID                 int64   `json:"id"`
	ClusterName        string  `json:"cluster_name"`
	RequestStatus      string  `json:"request_status"`
	ProgressPercent    float64 `json:"progress_percent"`
	RequestContext     string  `json:"request_context"`
	CreateTime         int64   `json:"create_time"`
	StartTime          int64   `json:"start_time"`
	EndTime            int64   `json:"end_time"`
	TaskCount          int     `json:"task_count"`
	CompletedTaskCount int     `json:"completed_task_count"`
	FailedTaskCount    int     `json:"failed_task_count"`
	AbortedTaskCount   int     `json:"aborted_task_count"`
	TimedOutTaskCount  int     `json:"timed_out_task_count"`
	QueuedTaskCount    int     `json:"queued_task_count"`
	AbortReason        string  `json:"abort_reason,omitempty"`
}

// TaskItem is one entry of a request's "tasks" list.
type TaskItem struct {
	Href  string `json:"href,omitempty"`
	Tasks Task   `json:"Tasks"`
}

// Task is one host-component command of a request.
type Task struct {
	ID            int64  `json:"id"`
	RequestID     int64  `json:"request_id"`
	StageID       int64  `json:"stage_id"`
	ClusterName   string `json:"cluster_name"`
	CommandDetail string `json:"command_detail"`
	HostName      string `json:"host_name"`
	Role          string `json:"role"`
	Command       string `json:"command"`
	Status        string `json:"status"`
	Stderr        string `json:"stderr,omitempty"`
	StartTime     int64  `json:"start_time"`
	EndTime       int64  `json:"end_time"`
}

// HostList is GET /hosts.
type HostList struct {
	Href  string     `json:"href,omitempty"`
	Items []HostItem `json:"items"`
}

// HostItem is one entry of a host list.
type HostItem struct {
	Href  string `json:"href,omitempty"`
	Hosts Host   `json:"Hosts"`
}

// Host is the "Hosts" object of a registered host.
type Host struct {
	HostName             string `json:"host_name"`
	HostStatus           string `json:"host_status"`
	HostState            string `json:"host_state"`
	LastHeartbeatTime    int64  `json:"last_heartbeat_time"`
	LastRegistrationTime int64  `json:"last_registration_time"`
	IP                   string `json:"ip"`
	ClusterName          string `json:"cluster_name,omitempty"`
	PublicHostName       string `json:"public_host_name"`
	OSType               string `json:"os_type"`
	OSArch               string `json:"os_arch"`
	CPUCount             int    `json:"cpu_count"`
	PhysicalCPUCount     int    `json:"ph_cpu_count"`
	TotalMem             int64  `json:"total_mem"` // kB
	RackInfo             string `json:"rack_info"`
	MaintenanceState     string `json:"maintenance_state"`
}

// ClusterInfo is GET /clusters/{c}.
type ClusterInfo struct {
	Href     string       `json:"href,omitempty"`
	Clusters ClusterBrief `json:"Clusters"`
}

// ClusterBrief is the "Clusters" object of a cluster.
type ClusterBrief struct {
	ClusterName string `json:"cluster_name"`
	Version     string `json:"version,omitempty"`
}

// HostAddition is one body element of POST /clusters/{c}/hosts.
type HostAddition struct {
	Blueprint string `json:"blueprint"`
	HostGroup string `json:"host_group"`
	HostName  string `json:"host_name,omitempty"`
}

// Host states.
const (
	HostHealthy       = "HEALTHY"
	HostHeartbeatLost = "HEARTBEAT_LOST"
)

// Request status values (final: COMPLETED, FAILED, TIMEDOUT, ABORTED, SKIPPED_FAILED).
const (
	StatusPending       = "PENDING"
	StatusQueued        = "QUEUED"
	StatusInProgress    = "IN_PROGRESS"
	StatusCompleted     = "COMPLETED"
	StatusFailed        = "FAILED"
	StatusTimedOut      = "TIMEDOUT"
	StatusAborted       = "ABORTED"
	StatusSkippedFailed = "SKIPPED_FAILED"
)

// IsFinal reports whether a request status will not change any more.
func IsFinal(status string) bool {
	switch status {
	case StatusCompleted, StatusFailed, StatusTimedOut, StatusAborted, StatusSkippedFailed:
		return true
	}
	return false
}
