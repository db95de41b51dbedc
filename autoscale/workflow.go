package autoscale

// The autoscale workflow's names: one workflow per cluster with a policy.
const (
	// WorkflowName is the workflow type's registered name.
	WorkflowName = "AutoscaleWorkflow"
	// UpdatePolicy sets (or enables, or disables) the policy.
	UpdatePolicy = "set-policy"
	// QueryStatus returns the Status.
	QueryStatus = "autoscale"
)

// WorkflowID is the autoscale workflow of a cluster.
func WorkflowID(cluster string) string { return "autoscale/" + cluster }

// Input starts the autoscale workflow: the policy and, after
// continue-as-new, the state it carries.
type Input struct {
	Policy Policy `json:"policy"`
	State  State  `json:"state"`
	// Place is the cluster's: where its metrics are read from.
	Place string `json:"place,omitempty"`
}

// Status is what the workflow shows: its policy and state.
type Status struct {
	Policy Policy `json:"policy"`
	State  State  `json:"state"`
	// HistoryLength is the current run's history events, bounded by
	// continue-as-new.
	HistoryLength int `json:"history_length"`
}
