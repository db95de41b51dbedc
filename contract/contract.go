// Package contract is the one description of a herd node: the environment
// variables herd-node reads and their defaults, the ports it listens on, the
// labels on what herd creates and the Serf tags a node carries. The worker
// encodes a Config into a container's environment with Env; herd-node
// decodes it with Load. No other package spells these names.
package contract

import "strconv"

// Role is a node's Ambari role.
type Role string

// Node roles: the first node of a cluster is the Ambari server.
const (
	RoleServer Role = "server"
	RoleAgent  Role = "agent"
)

// Ports a node listens on (in its own network namespace, or the host's).
const (
	PortDNS         = 53
	PortSerf        = 7946
	PortSerfRPC     = 7373
	PortAmbariAPI   = 8080
	PortHealth      = 8081
	PortAmbariAgent = 8440
	// PortDockerTLS is where a cloud host's Docker engine listens with TLS.
	PortDockerTLS = 2376
)

// Labels herd puts on every container and network it creates (and tags on
// cloud resources): how it finds them again.
const (
	LabelCluster   = "io.herd.cluster"
	LabelNode      = "io.herd.node"
	LabelRole      = "io.herd.role"
	LabelHostGroup = "io.herd.host-group"
	LabelJoinIP    = "io.herd.join-ip"
	// LabelInstallation names the herd installation (its master key) that
	// made a cloud resource: release touches only its own.
	LabelInstallation = "io.herd.installation"
	// LabelEnginePin holds the fingerprint of a cloud host's Docker engine
	// certificate, which herd pins.
	LabelEnginePin = "io.herd.docker-tls-sha256"
)

// Serf tags every herd node carries.
const (
	TagAgent     = "ambari-agent"
	TagServer    = "ambari-server"
	TagCluster   = "herd-cluster"
	TagHostGroup = "herd-host-group"
	// TagInterruption is set on a spot node that got its interruption
	// notice: the action and when, e.g. "terminate 2026-12-01T21:30:00Z".
	TagInterruption = "herd-interruption"
)

// StateDir is where a node keeps what must survive a restart (the
// emulator's state, as Ambari keeps its database): a volume on the server.
const StateDir = "/var/lib/herd"

// Port is a port as a string, for addresses.
func Port(p int) string { return strconv.Itoa(p) }
