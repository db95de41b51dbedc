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

// ProvisionSteps are the provisioning steps, in order.
var ProvisionSteps = []string{StepAllocate, StepCloudInit, StepServer, StepAgents, StepQuorum, StepBlueprint, StepPollRequest}
