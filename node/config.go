// Package node is the program inside every herd container (herd-node): the
// Serf agent, the cluster DNS server, and the Ambari role chosen by
// AMBARI_ROLE — the server role runs herd's Ambari API EMULATOR, every node
// runs an agent that registers with it by name.
package node

import (
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/herdhq/herd/membership"
)

// Roles a node can have.
const (
	RoleServer = "server"
	RoleAgent  = "agent"
)

// Config is everything a node is told, read from its environment.
type Config struct {
	Role          string
	NodeName      string // FQDN
	Domain        string
	Cluster       string
	HostGroup     string
	JoinAddr      string // SERF_JOIN_IP as host:port; empty on the first node
	AdvertiseIP   string
	RetryInterval time.Duration
	EncryptKey    []byte
	RPCAuthKey    string
	SerfBind      string
	SerfRPCAddr   string
	DNSAddr       string
	DNSUpstream   string
	HostsFile     string
	HealthAddr    string
	Ambari        AmbariConfig
}

// AmbariConfig configures the Ambari role: the emulator on the server and
// the agent on every node.
type AmbariConfig struct {
	APIAddr          string
	AgentAddr        string // where the server listens for agents (8440)
	AgentPort        int
	User, Password   string
	TaskDuration     time.Duration
	FailHosts        []string
	FailComponents   []string
	HeartbeatTimeout time.Duration
	BeatInterval     time.Duration
	StatePath        string // where the emulator keeps its state across restarts
}

// Getenv reads one variable; tests pass a map's lookup.
type Getenv func(string) string

// LoadConfig reads and validates the node's configuration. role, when not
// empty, overrides AMBARI_ROLE (the 2014 entrypoint took it as an argument).
func LoadConfig(env Getenv, role string) (Config, error) {
	p := parser{env: env}
	c := Config{
		Role:          firstNonEmpty(role, env("AMBARI_ROLE")),
		Cluster:       env("HERD_CLUSTER"),
		HostGroup:     env("HERD_HOST_GROUP"),
		AdvertiseIP:   env("SERF_ADVERTISE_IP"),
		RetryInterval: p.duration("SERF_RETRY_INTERVAL", 5*time.Second),
		SerfBind:      p.str("SERF_BIND", "0.0.0.0:7946"),
		SerfRPCAddr:   p.str("SERF_RPC_ADDR", "0.0.0.0:7373"),
		DNSAddr:       p.str("DNS_ADDR", "127.0.0.1:53"),
		DNSUpstream:   p.str("DNS_UPSTREAM", "127.0.0.11:53"),
		HostsFile:     env("DNS_HOSTS_FILE"),
		HealthAddr:    p.str("HEALTH_ADDR", "0.0.0.0:8081"),
		Ambari:        loadAmbari(&p),
	}
	c.EncryptKey = p.key("SERF_ENCRYPT_KEY")
	c.RPCAuthKey = p.secret("SERF_RPC_AUTH")
	c.NodeName, c.Domain = nodeName(env)
	c.JoinAddr = p.joinAddr("SERF_JOIN_IP")
	if p.err != nil {
		return Config{}, p.err
	}
	return c, c.validate(env("HERD_MODE") == "dev")
}

func loadAmbari(p *parser) AmbariConfig {
	return AmbariConfig{
		APIAddr:          p.str("AMBARI_API_ADDR", "0.0.0.0:8080"),
		AgentAddr:        p.str("AMBARI_AGENT_ADDR", "0.0.0.0:8440"),
		AgentPort:        p.integer("AMBARI_AGENT_PORT", 8440),
		User:             p.str("AMBARI_USER", "admin"),
		Password:         p.secret("AMBARI_PASSWORD"),
		TaskDuration:     p.duration("EMU_TASK_DURATION", 2*time.Second),
		FailHosts:        list(strings.ToLower(p.env("EMU_FAIL_HOSTS"))),
		FailComponents:   list(p.env("EMU_FAIL_COMPONENTS")),
		HeartbeatTimeout: p.duration("EMU_HEARTBEAT_TIMEOUT", 15*time.Second),
		BeatInterval:     p.duration("AGENT_HEARTBEAT_INTERVAL", 2*time.Second),
		StatePath:        p.str("EMU_STATE_FILE", "/var/lib/herd/ambari-emulator.json"),
	}
}

func (c *Config) validate(dev bool) error {
	switch c.Role {
	case RoleServer, RoleAgent:
	case "":
		return fmt.Errorf("AMBARI_ROLE is not set: set it to %q or %q", RoleServer, RoleAgent)
	default:
		return fmt.Errorf("AMBARI_ROLE=%q is not a role: use %q or %q", c.Role, RoleServer, RoleAgent)
	}
	if c.NodeName == "" || c.Domain == "" {
		return fmt.Errorf("node name %q has no domain: start the container with -h NAME.DOMAIN or set HERD_NODE_NAME to an FQDN", c.NodeName)
	}
	if c.Role == RoleServer && c.Ambari.Password == "" {
		if !dev {
			return fmt.Errorf("AMBARI_PASSWORD (or AMBARI_PASSWORD_FILE) is required for the server role; HERD_MODE=dev allows the admin/admin default")
		}
		c.Ambari.Password = "admin"
	}
	if c.AdvertiseIP != "" && net.ParseIP(c.AdvertiseIP) == nil {
		return fmt.Errorf("SERF_ADVERTISE_IP=%q is not an IP address", c.AdvertiseIP)
	}
	return nil
}

// nodeName is HERD_NODE_NAME, or the hostname joined with HERD_DOMAIN (what
// `hostname -f` gives in a container started with -h NAME.DOMAIN).
func nodeName(env Getenv) (string, string) {
	name := env("HERD_NODE_NAME")
	if name == "" {
		host, _ := os.Hostname()
		name = host
		if d := env("HERD_DOMAIN"); d != "" && !strings.Contains(host, ".") {
			name = host + "." + d
		}
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	_, domain, _ := strings.Cut(name, ".")
	return name, domain
}

type parser struct {
	env Getenv
	err error
}

func (p *parser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

func (p *parser) str(name, def string) string { return firstNonEmpty(p.env(name), def) }

func (p *parser) duration(name string, def time.Duration) time.Duration {
	v := p.env(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		p.fail("%s=%q is not a duration such as 5s", name, v)
	}
	return d
}

func (p *parser) integer(name string, def int) int {
	v := p.env(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail("%s=%q is not a number", name, v)
	}
	return n
}

// secret reads NAME, or the file named by NAME_FILE.
func (p *parser) secret(name string) string {
	if v := p.env(name); v != "" {
		return v
	}
	path := p.env(name + "_FILE")
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		p.fail("%s_FILE: %v", name, err)
	}
	return strings.TrimSpace(string(b))
}

func (p *parser) key(name string) []byte {
	v := p.secret(name)
	if v == "" {
		return nil
	}
	key, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		p.fail("%s is not base64: %v", name, err)
		return nil
	}
	if err := membership.ValidateKey(key); err != nil {
		p.fail("%s: %v", name, err)
	}
	return key
}

func (p *parser) joinAddr(name string) string {
	v := p.env(name)
	if v == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		host, port = v, "7946"
	}
	if net.ParseIP(host) == nil {
		p.fail("%s=%q is not an IP address (give the first container's IP, optionally with :port)", name, v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		p.fail("%s=%q has a bad port", name, v)
	}
	return net.JoinHostPort(host, port)
}

func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
