package contract

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func agentEnv() map[string]string {
	return map[string]string{EnvRole: "agent", EnvNodeName: "c1-2.herd.local", EnvJoinIP: "172.20.0.2"}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(envOf(agentEnv()), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Role != RoleAgent || c.NodeName != "c1-2.herd.local" || c.Domain != "herd.local" ||
		c.JoinAddr != "172.20.0.2:7946" || c.RetryInterval != 5*time.Second || c.DNSAddr != "127.0.0.1:53" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestLoadRejects(t *testing.T) {
	cases := []struct {
		set  map[string]string
		want string
	}{
		{map[string]string{EnvRole: ""}, "AMBARI_ROLE is not set"},
		{map[string]string{EnvRole: "master"}, `AMBARI_ROLE="master" is not a role`},
		{map[string]string{EnvJoinIP: "not-an-ip"}, "SERF_JOIN_IP=\"not-an-ip\" is not an IP address"},
		{map[string]string{EnvJoinIP: "10.0.0.1:99999"}, "bad port"},
		{map[string]string{EnvEncryptKey: "c2hvcnQ="}, "gossip encryption key is 5 bytes"},
		{map[string]string{EnvEncryptKey: "%%%"}, "is not base64"},
		{map[string]string{EnvRole: "server"}, "AMBARI_PASSWORD (or AMBARI_PASSWORD_FILE) is required"},
		{map[string]string{EnvNodeName: "nodomain"}, "has no domain"},
		{map[string]string{EnvNodeName: "..."}, "is not a DNS name"},
		{map[string]string{EnvNodeName: "a_b.herd.local"}, "is not a DNS name"},
		{map[string]string{EnvRetryInterval: "soon"}, "is not a duration"},
		{map[string]string{EnvAmbariAgentPort: "0"}, "is not a port number"},
		{map[string]string{EnvAdvertiseIP: "x"}, "SERF_ADVERTISE_IP=\"x\" is not an IP address"},
		{map[string]string{EnvAmbariPassword + "_FILE": "/nonexistent"}, "AMBARI_PASSWORD_FILE"},
	}
	for _, tc := range cases {
		env := agentEnv()
		for k, v := range tc.set {
			env[k] = v
		}
		_, err := Load(envOf(env), "")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: want one-line error containing %q, got %v", tc.set, tc.want, err)
		}
	}
}

func TestDevModeAllowsDefaultPassword(t *testing.T) {
	env := agentEnv()
	env[EnvMode] = "dev"
	c, err := Load(envOf(env), "server")
	if err != nil || c.Role != RoleServer || c.Ambari.Password != "admin" {
		t.Fatalf("dev server: %+v %v", c, err)
	}
}

// What the worker encodes is what the node decodes, and only what differs
// from the defaults is written.
func TestEnvRoundTrip(t *testing.T) {
	c := DefaultConfig()
	c.Role, c.NodeName, c.Domain, c.Cluster, c.HostGroup = RoleServer, "c1-1.herd.local", "herd.local", "c1", "master"
	c.JoinAddr, c.EncryptKey, c.RPCAuthKey = "10.0.0.1:7946", []byte("0123456789abcdef"), "tok"
	c.Ambari.Password, c.Ambari.TaskDuration, c.Ambari.FailHosts = "pw", 100*time.Millisecond, []string{"a.herd.local"}
	c.Extra = map[string]string{"FOO": "bar", EnvRole: "agent"}
	env := c.Env()
	if env[EnvRole] != "server" || env["FOO"] != "bar" {
		t.Fatalf("herd's variables must win over extras, extras kept: %v", env)
	}
	if _, ok := env[EnvDNSAddr]; ok {
		t.Fatalf("defaults are not written: %v", env)
	}
	got, err := Load(envOf(env), "")
	if err != nil {
		t.Fatal(err)
	}
	got.Extra = c.Extra
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, c)
	}
}

func TestUsageNamesEveryVariable(t *testing.T) {
	u := Usage()
	for _, f := range fields {
		if !strings.Contains(u, f.name) {
			t.Errorf("usage lacks %s", f.name)
		}
	}
	if !strings.Contains(u, "AMBARI_PASSWORD_FILE") || !strings.Contains(u, "(default 127.0.0.11:53)") {
		t.Fatalf("usage:\n%s", u)
	}
}
