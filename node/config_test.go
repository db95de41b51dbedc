package node

import (
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func base() map[string]string {
	return map[string]string{"AMBARI_ROLE": "agent", "HERD_NODE_NAME": "c1-2.herd.local", "SERF_JOIN_IP": "172.20.0.2"}
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(envOf(base()), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Role != RoleAgent || c.NodeName != "c1-2.herd.local" || c.Domain != "herd.local" ||
		c.JoinAddr != "172.20.0.2:7946" || c.RetryInterval != 5*time.Second || c.DNSAddr != "127.0.0.1:53" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestLoadConfigRejects(t *testing.T) {
	cases := []struct {
		set  map[string]string
		want string
	}{
		{map[string]string{"AMBARI_ROLE": ""}, "AMBARI_ROLE is not set"},
		{map[string]string{"AMBARI_ROLE": "master"}, `AMBARI_ROLE="master" is not a role`},
		{map[string]string{"SERF_JOIN_IP": "not-an-ip"}, "SERF_JOIN_IP=\"not-an-ip\" is not an IP address"},
		{map[string]string{"SERF_JOIN_IP": "10.0.0.1:99999"}, "bad port"},
		{map[string]string{"SERF_ENCRYPT_KEY": "c2hvcnQ="}, "gossip encryption key is 5 bytes"},
		{map[string]string{"SERF_ENCRYPT_KEY": "%%%"}, "is not base64"},
		{map[string]string{"AMBARI_ROLE": "server"}, "AMBARI_PASSWORD (or AMBARI_PASSWORD_FILE) is required"},
		{map[string]string{"HERD_NODE_NAME": "nodomain"}, "has no domain"},
		{map[string]string{"SERF_RETRY_INTERVAL": "soon"}, "is not a duration"},
	}
	for _, tc := range cases {
		env := base()
		for k, v := range tc.set {
			env[k] = v
		}
		_, err := LoadConfig(envOf(env), "")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: want one-line error containing %q, got %v", tc.set, tc.want, err)
		}
	}
}

func TestDevModeAllowsDefaultPassword(t *testing.T) {
	env := base()
	env["HERD_MODE"] = "dev"
	c, err := LoadConfig(envOf(env), "server")
	if err != nil || c.Role != RoleServer || c.Ambari.Password != "admin" {
		t.Fatalf("dev server: %+v %v", c, err)
	}
}
