package contract

import (
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Environment variables of herd-node.
const (
	EnvRole             = "AMBARI_ROLE"
	EnvNodeName         = "HERD_NODE_NAME"
	EnvDomain           = "HERD_DOMAIN"
	EnvCluster          = "HERD_CLUSTER"
	EnvHostGroup        = "HERD_HOST_GROUP"
	EnvMode             = "HERD_MODE"
	EnvDebug            = "HERD_DEBUG"
	EnvJoinIP           = "SERF_JOIN_IP"
	EnvAdvertiseIP      = "SERF_ADVERTISE_IP"
	EnvRetryInterval    = "SERF_RETRY_INTERVAL"
	EnvEncryptKey       = "SERF_ENCRYPT_KEY"
	EnvRPCAuth          = "SERF_RPC_AUTH"
	EnvSerfBind         = "SERF_BIND"
	EnvSerfRPCAddr      = "SERF_RPC_ADDR"
	EnvDNSAddr          = "DNS_ADDR"
	EnvDNSUpstream      = "DNS_UPSTREAM"
	EnvHostsFile        = "DNS_HOSTS_FILE"
	EnvHealthAddr       = "HEALTH_ADDR"
	EnvAmbariAPIAddr    = "AMBARI_API_ADDR"
	EnvAmbariAgentAddr  = "AMBARI_AGENT_ADDR"
	EnvAmbariAgentPort  = "AMBARI_AGENT_PORT"
	EnvAmbariUser       = "AMBARI_USER"
	EnvAmbariPassword   = "AMBARI_PASSWORD"
	EnvTaskDuration     = "EMU_TASK_DURATION"
	EnvFailHosts        = "EMU_FAIL_HOSTS"
	EnvFailComponents   = "EMU_FAIL_COMPONENTS"
	EnvHeartbeatTimeout = "EMU_HEARTBEAT_TIMEOUT"
	EnvStateFile        = "EMU_STATE_FILE"
	EnvNodeManagerMB    = "EMU_NM_MEMORY_MB"
	EnvBeatInterval     = "AGENT_HEARTBEAT_INTERVAL"
	EnvSpotNotice       = "HERD_SPOT_NOTICE_URL"
)

// field is one variable: how to read it into a Config and write it out.
type field struct {
	name   string
	usage  string
	secret bool // may also come from the file named by NAME_FILE
	get    func(*Config) string
	set    func(*Config, string) error
}

func strField(name, usage string, p func(*Config) *string) field {
	return field{name: name, usage: usage,
		get: func(c *Config) string { return *p(c) },
		set: func(c *Config, v string) error { *p(c) = v; return nil }}
}

func secretField(name, usage string, p func(*Config) *string) field {
	f := strField(name, usage, p)
	f.secret = true
	return f
}

func durField(name, usage string, p func(*Config) *time.Duration) field {
	return field{name: name, usage: usage,
		get: func(c *Config) string { return p(c).String() },
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("%s=%q is not a duration such as 5s", name, v)
			}
			*p(c) = d
			return nil
		}}
}

func listField(name, usage string, lower bool, p func(*Config) *[]string) field {
	return field{name: name, usage: usage,
		get: func(c *Config) string { return strings.Join(*p(c), ",") },
		set: func(c *Config, v string) error {
			if lower {
				v = strings.ToLower(v)
			}
			*p(c) = list(v)
			return nil
		}}
}

// flagField is on when set; with value given, only when set to it.
func flagField(name, usage, value string, p func(*Config) *bool) field {
	return field{name: name, usage: usage,
		get: func(c *Config) string {
			if !*p(c) {
				return ""
			}
			return cmpOr(value, "1")
		},
		set: func(c *Config, v string) error { *p(c) = value == "" || v == value; return nil }}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// fields lists every variable in the order Env writes and --help shows them.
var fields = []field{
	{name: EnvRole, usage: "server or agent",
		get: func(c *Config) string { return string(c.Role) },
		set: func(c *Config, v string) error { c.Role = Role(v); return nil }},
	strField(EnvNodeName, "the node's FQDN (default: hostname + "+EnvDomain+")", func(c *Config) *string { return &c.NodeName }),
	{name: EnvDomain, usage: "the node's domain, when " + EnvNodeName + " is not set",
		get: func(*Config) string { return "" }, // derived from the node name
		set: func(c *Config, v string) error { c.Domain = v; return nil }},
	strField(EnvCluster, "cluster name (Serf tag)", func(c *Config) *string { return &c.Cluster }),
	strField(EnvHostGroup, "blueprint host group (Serf tag)", func(c *Config) *string { return &c.HostGroup }),
	flagField(EnvMode, "dev: allow the admin/admin default", "dev", func(c *Config) *bool { return &c.Dev }),
	flagField(EnvDebug, "any value: debug logs", "", func(c *Config) *bool { return &c.Debug }),
	{name: EnvJoinIP, usage: "the first container's IP, optionally :port",
		get: func(c *Config) string { return c.JoinAddr },
		set: func(c *Config, v string) (err error) { c.JoinAddr, err = joinAddr(v); return err }},
	strField(EnvAdvertiseIP, "address announced to Serf", func(c *Config) *string { return &c.AdvertiseIP }),
	durField(EnvRetryInterval, "wait between failed joins", func(c *Config) *time.Duration { return &c.RetryInterval }),
	{name: EnvEncryptKey, usage: "Serf gossip key, base64 of 16/24/32 bytes", secret: true,
		get: func(c *Config) string { return encodeKey(c.EncryptKey) },
		set: func(c *Config, v string) (err error) { c.EncryptKey, err = decodeKey(v); return err }},
	secretField(EnvRPCAuth, "Serf RPC token", func(c *Config) *string { return &c.RPCAuthKey }),
	strField(EnvSerfBind, "gossip listen address", func(c *Config) *string { return &c.SerfBind }),
	strField(EnvSerfRPCAddr, "Serf RPC listen address", func(c *Config) *string { return &c.SerfRPCAddr }),
	strField(EnvDNSAddr, "DNS listen address", func(c *Config) *string { return &c.DNSAddr }),
	strField(EnvDNSUpstream, "where other names are forwarded", func(c *Config) *string { return &c.DNSUpstream }),
	strField(EnvHostsFile, "hosts file kept current (dnsmasq style)", func(c *Config) *string { return &c.HostsFile }),
	strField(EnvHealthAddr, "health endpoint listen address", func(c *Config) *string { return &c.HealthAddr }),
	strField(EnvAmbariAPIAddr, "Ambari API listen address (server)", func(c *Config) *string { return &c.Ambari.APIAddr }),
	strField(EnvAmbariAgentAddr, "agent protocol listen address (server)", func(c *Config) *string { return &c.Ambari.AgentAddr }),
	{name: EnvAmbariAgentPort, usage: "the server's agent port, as agents reach it",
		get: func(c *Config) string { return strconv.Itoa(c.Ambari.AgentPort) },
		set: func(c *Config, v string) (err error) {
			c.Ambari.AgentPort, err = port(EnvAmbariAgentPort, v)
			return err
		}},
	strField(EnvAmbariUser, "Ambari API user", func(c *Config) *string { return &c.Ambari.User }),
	secretField(EnvAmbariPassword, "Ambari API password (required on the server unless "+EnvMode+"=dev)", func(c *Config) *string { return &c.Ambari.Password }),
	durField(EnvTaskDuration, "emulator: how long each task runs", func(c *Config) *time.Duration { return &c.Ambari.TaskDuration }),
	listField(EnvFailHosts, "emulator: hosts whose tasks fail (comma-separated)", true, func(c *Config) *[]string { return &c.Ambari.FailHosts }),
	listField(EnvFailComponents, "emulator: components whose tasks fail", false, func(c *Config) *[]string { return &c.Ambari.FailComponents }),
	durField(EnvHeartbeatTimeout, "emulator: silence before HEARTBEAT_LOST", func(c *Config) *time.Duration { return &c.Ambari.HeartbeatTimeout }),
	strField(EnvStateFile, "emulator: state file (on the state volume)", func(c *Config) *string { return &c.Ambari.StatePath }),
	{name: EnvNodeManagerMB, usage: "emulator: memory (MB) each YARN NodeManager offers to containers",
		get: func(c *Config) string { return strconv.FormatInt(c.Ambari.NodeManagerMB, 10) },
		set: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return fmt.Errorf("%s=%q is not a positive number of MB", EnvNodeManagerMB, v)
			}
			c.Ambari.NodeManagerMB = n
			return nil
		}},
	durField(EnvBeatInterval, "agent: heartbeat interval", func(c *Config) *time.Duration { return &c.Ambari.BeatInterval }),
	strField(EnvSpotNotice, "instance metadata service to watch for a spot interruption notice (AWS spot nodes)", func(c *Config) *string { return &c.SpotNotice }),
}

func encodeKey(key []byte) string {
	if key == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(key)
}

func decodeKey(v string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("%s is not base64: %v", EnvEncryptKey, err)
	}
	return key, ValidateKey(key)
}

func port(name, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("%s=%q is not a port number", name, v)
	}
	return n, nil
}

// herdSets are the variables herd sets on every node itself.
var herdSets = []string{EnvRole, EnvNodeName, EnvCluster, EnvHostGroup, EnvJoinIP, EnvAdvertiseIP,
	EnvEncryptKey, EnvRPCAuth, EnvAmbariUser, EnvAmbariPassword}

// CheckExtra checks environment a user adds to every node: no variable herd
// sets itself, and every herd-node variable readable as herd-node reads it.
func CheckExtra(extra map[string]string) error {
	for _, name := range herdSets {
		if _, ok := extra[name]; ok {
			return fmt.Errorf("%s is set by herd itself: leave it out of --node-env", name)
		}
	}
	c := DefaultConfig()
	c.Role, c.NodeName, c.Dev, c.Extra = RoleAgent, "node-1.herd.local", true, extra
	env := c.Env()
	_, err := Load(func(k string) string { return env[k] }, "")
	return err
}

// Getenv reads one variable (os.Getenv, or a map's lookup in tests).
type Getenv func(string) string

// Load reads and validates a node's configuration from its environment.
// role, when not empty, overrides AMBARI_ROLE (the 2014 entrypoint took it
// as an argument). Errors are one line naming the variable.
func Load(env Getenv, role string) (Config, error) {
	c := DefaultConfig()
	for _, f := range fields {
		v := env(f.name)
		if v == "" && f.secret {
			var err error
			if v, err = fromFile(env, f.name); err != nil {
				return Config{}, err
			}
		}
		if v == "" {
			continue
		}
		if err := f.set(&c, v); err != nil {
			return Config{}, err
		}
	}
	if role != "" {
		c.Role = Role(role)
	}
	c.NodeName, c.Domain = nodeName(c.NodeName, c.Domain)
	return c, c.Validate()
}

func fromFile(env Getenv, name string) (string, error) {
	path := env(name + "_FILE")
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %v", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Env encodes the configuration as a container's environment: Extra, then
// every variable whose value differs from DefaultConfig (herd's win).
func (c Config) Env() map[string]string {
	env := map[string]string{}
	for k, v := range c.Extra {
		env[k] = v
	}
	def := DefaultConfig()
	for _, f := range fields {
		if v := f.get(&c); v != f.get(&def) {
			env[f.name] = v
		}
	}
	return env
}

// EnvList is Env as sorted NAME=VALUE lines.
func (c Config) EnvList() []string {
	env := c.Env()
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Usage lists every variable with its meaning and default, for --help.
func Usage() string {
	var b strings.Builder
	def := DefaultConfig()
	for _, f := range fields {
		fmt.Fprintf(&b, "  %-25s %s", f.name, f.usage)
		if v := f.get(&def); v != "" && v != "0s" {
			fmt.Fprintf(&b, " (default %s)", v)
		}
		if f.secret {
			fmt.Fprintf(&b, "; or %s_FILE", f.name)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// nodeName is the given name, or the hostname joined with domain (what
// `hostname -f` gives in a container started with -h NAME.DOMAIN).
func nodeName(name, domain string) (string, string) {
	if name == "" {
		host, _ := os.Hostname()
		name = host
		if domain != "" && !strings.Contains(host, ".") {
			name = host + "." + domain
		}
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	_, d, _ := strings.Cut(name, ".")
	return name, d
}

func joinAddr(v string) (string, error) {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		host, port = v, Port(PortSerf)
	}
	if net.ParseIP(host) == nil {
		return "", fmt.Errorf("%s=%q is not an IP address (give the first container's IP, optionally with :port)", EnvJoinIP, v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%s=%q has a bad port", EnvJoinIP, v)
	}
	return net.JoinHostPort(host, port), nil
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

// ValidateKey checks a gossip encryption key: AES-128, -192 or -256.
func ValidateKey(key []byte) error {
	switch len(key) {
	case 16, 24, 32:
		return nil
	}
	return fmt.Errorf("gossip encryption key is %d bytes; it must be 16, 24 or 32 bytes (base64 of `head -c32 /dev/urandom`)", len(key))
}
