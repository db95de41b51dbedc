package workflows

// Step names, as the status and the UI show them.
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
	StepConfig      = "ChangeConfig"
	StepCommand     = "ServiceCommand"
)

// ProvisionSteps are the provisioning steps, in the order they end for a
// cluster that needs all its nodes: the blueprint is submitted while the
// agents start.
var ProvisionSteps = []string{StepAllocate, StepCloudInit, StepServer, StepAgents, StepBlueprint, StepQuorum, StepPollRequest}

// provisionStepsAfterQuorum is their order when the blueprint waits for
// the quorum: a cluster that may go on without some nodes (min_nodes), or
// one begun before the overlap.
var provisionStepsAfterQuorum = []string{StepAllocate, StepCloudInit, StepServer, StepAgents, StepQuorum, StepBlueprint, StepPollRequest}
