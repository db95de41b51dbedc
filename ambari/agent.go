package ambari

// The agent protocol: how an Ambari agent registers its host with the
// server and heartbeats (on its own port, over TLS on a real Ambari).

// AgentRegisterPath is where an agent posts its Registration, followed by
// its host name.
const AgentRegisterPath = "/agent/v1/register/"

// AgentHeartbeatPath is where an agent posts its heartbeats, followed by
// its host name.
const AgentHeartbeatPath = "/agent/v1/heartbeat/"

// Registration is the body an agent posts to register its host.
type Registration struct {
	Hostname        string          `json:"hostname"`
	PublicHostname  string          `json:"publicHostname,omitempty"`
	HardwareProfile HardwareProfile `json:"hardwareProfile"`
	// Alerts are the host's alerts the agent ran, sent with heartbeats.
	Alerts []AgentAlert `json:"alerts,omitempty"`
}

// HardwareProfile is what an agent tells of its host, in the names
// Ambari's agent uses; memorytotal is in kB.
type HardwareProfile struct {
	IPAddress       string `json:"ipaddress"`
	ProcessorCount  int    `json:"processorcount,omitempty"`
	MemoryTotal     int64  `json:"memorytotal,omitempty"`
	OperatingSystem string `json:"operatingsystem,omitempty"`
	OSRelease       string `json:"operatingsystemrelease,omitempty"`
}

// HeartbeatReply is the server's answer to a heartbeat; a
// RegistrationCommand asks the agent to register again.
type HeartbeatReply struct {
	ResponseID          int64                `json:"responseId"`
	RegistrationCommand *RegistrationCommand `json:"registrationCommand,omitempty"`
}

// RegistrationCommand is the server asking an agent to register again.
type RegistrationCommand struct {
	CommandType string `json:"commandType"`
}
