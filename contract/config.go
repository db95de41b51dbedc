package contract

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Config is everything a node is told. DefaultConfig gives the defaults;
// Env encodes what differs from them as environment; Load decodes it.
type Config struct {
	Role          Role
	NodeName      string // FQDN; HERD_NODE_NAME or the hostname with HERD_DOMAIN
	Domain        string // derived from NodeName
	Cluster       string
	HostGroup     string
	JoinAddr      string // SERF_JOIN_IP as host:port; empty on the first node
	AdvertiseIP   string // address announced to Serf (a cloud host's IP)
	RetryInterval time.Duration
	EncryptKey    []byte // Serf gossip key (16, 24 or 32 bytes)
	RPCAuthKey    string // Serf RPC token
	SerfBind      string
	SerfRPCAddr   string
	DNSAddr       string
	DNSUpstream   string
	HostsFile     string // optional dnsmasq-style hosts file to keep current
	HealthAddr    string
	Dev           bool // HERD_MODE=dev: admin/admin allowed on the server
	Debug         bool // HERD_DEBUG: debug logs
	Ambari        AmbariConfig
	// SpotNotice is the instance metadata service of a spot instance
	// (http://169.254.169.254): the node watches it for the interruption
	// notice and tells Serf (TagInterruption).
	SpotNotice string
	// Extra is environment the user adds (--node-env); herd's own
	// variables win over it.
	Extra map[string]string
}

// AmbariConfig configures the Ambari role: the emulator on the server and
// the agent on every node.
type AmbariConfig struct {
	APIAddr          string
	AgentAddr        string // where the server listens for agents
	AgentPort        int    // where agents reach the server
	User, Password   string
	TaskDuration     time.Duration
	FailHosts        []string
	FailComponents   []string
	HeartbeatTimeout time.Duration
	BeatInterval     time.Duration
	StatePath        string // where the emulator keeps its state across restarts
	NodeManagerMB    int64  // the emulator's YARN: memory of each NodeManager
}

// DefaultConfig is a node's configuration before its environment is read.
func DefaultConfig() Config {
	all := func(p int) string { return net.JoinHostPort("0.0.0.0", Port(p)) }
	return Config{
		RetryInterval: 5 * time.Second,
		SerfBind:      all(PortSerf),
		SerfRPCAddr:   all(PortSerfRPC),
		DNSAddr:       net.JoinHostPort("127.0.0.1", Port(PortDNS)),
		DNSUpstream:   net.JoinHostPort("127.0.0.11", Port(PortDNS)), // Docker's embedded resolver
		HealthAddr:    all(PortHealth),
		Ambari: AmbariConfig{
			APIAddr: all(PortAmbariAPI), AgentAddr: all(PortAmbariAgent), AgentPort: PortAmbariAgent,
			User: "admin", TaskDuration: 2 * time.Second, HeartbeatTimeout: 15 * time.Second, NodeManagerMB: 8192,
			BeatInterval: 2 * time.Second, StatePath: StateDir + "/ambari-emulator.json",
		},
	}
}

// Validate checks what Load cannot check field by field.
func (c *Config) Validate() error {
	switch c.Role {
	case RoleServer, RoleAgent:
	case "":
		return fmt.Errorf("%s is not set: set it to %q or %q", EnvRole, RoleServer, RoleAgent)
	default:
		return fmt.Errorf("%s=%q is not a role: use %q or %q", EnvRole, c.Role, RoleServer, RoleAgent)
	}
	if c.NodeName == "" || c.Domain == "" {
		return fmt.Errorf("node name %q has no domain: start the container with -h NAME.DOMAIN or set %s to an FQDN", c.NodeName, EnvNodeName)
	}
	if !validFQDN(c.NodeName) {
		return fmt.Errorf("node name %q is not a DNS name: give %s as labels of letters, digits and dashes, e.g. c1-2.herd.local", c.NodeName, EnvNodeName)
	}
	if c.Role == RoleServer && c.Ambari.Password == "" {
		if !c.Dev {
			return fmt.Errorf("%s (or %s_FILE) is required for the server role; %s=dev allows the admin/admin default", EnvAmbariPassword, EnvAmbariPassword, EnvMode)
		}
		c.Ambari.Password = "admin"
	}
	if u, err := url.Parse(c.SpotNotice); c.SpotNotice != "" && (err != nil || u.Scheme != "http" || u.Host == "") {
		return fmt.Errorf("%s=%q is not an http:// URL: give the instance metadata service, http://169.254.169.254", EnvSpotNotice, c.SpotNotice)
	}
	if c.AdvertiseIP != "" && net.ParseIP(c.AdvertiseIP) == nil {
		return fmt.Errorf("%s=%q is not an IP address", EnvAdvertiseIP, c.AdvertiseIP)
	}
	return nil
}

// APIPort is the port the Ambari API listens on.
func (c Config) APIPort() string { return portOf(c.Ambari.APIAddr, Port(PortAmbariAPI)) }

// RPCPort is the port Serf RPC listens on.
func (c Config) RPCPort() string { return portOf(c.SerfRPCAddr, Port(PortSerfRPC)) }

// JoinIP is the IP of SERF_JOIN_IP, without its port.
func (c Config) JoinIP() string {
	host, _, err := net.SplitHostPort(c.JoinAddr)
	if err != nil {
		return c.JoinAddr
	}
	return host
}

func portOf(addr, def string) string {
	if _, port, err := net.SplitHostPort(addr); err == nil && port != "" {
		return port
	}
	return def
}

// validFQDN reports whether name is at least two DNS labels of letters,
// digits and dashes (not at a label's ends).
func validFQDN(name string) bool {
	labels := strings.Split(name, ".")
	if len(labels) < 2 || len(name) > 253 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
