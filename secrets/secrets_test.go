package secrets

import (
	"crypto/tls"
	"encoding/base64"
	"path/filepath"
	"testing"
)

func TestDerivationIsStableAndPerCluster(t *testing.T) {
	m, _ := Parse("00112233445566778899aabbccddeeff")
	a, b := m.For("c1"), m.For("c2")
	if a != m.For("c1") {
		t.Fatal("derivation must be deterministic")
	}
	if a.AmbariPassword == b.AmbariPassword || a.SerfEncryptKey == b.SerfEncryptKey || a.SerfRPCAuth == b.SerfRPCAuth {
		t.Fatal("clusters must not share credentials")
	}
	key, err := base64.StdEncoding.DecodeString(a.SerfEncryptKey)
	if err != nil || len(key) != 32 {
		t.Fatalf("serf key must be 32 bytes: %v %d", err, len(key))
	}
	other, _ := Parse("ffeeddccbbaa99887766554433221100")
	if other.For("c1") == a {
		t.Fatal("another master must give other credentials")
	}
}

func TestLoadOrCreateKeepsTheKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "master.key")
	m1, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := LoadOrCreate(path)
	if err != nil || string(m1) != string(m2) {
		t.Fatalf("second load must read the same key: %v", err)
	}
	if _, err := Parse("abc"); err == nil {
		t.Fatal("short key must be refused")
	}
}

func TestDockerTLSIsDeterministicAndVerifies(t *testing.T) {
	m, _ := Parse("00112233445566778899aabbccddeeff")
	a, err := m.DockerTLS("c1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.DockerTLS("c1")
	if string(a.CACert) != string(b.CACert) || string(a.ServerCert) != string(b.ServerCert) || string(a.ClientKey) != string(b.ClientKey) {
		t.Fatal("a retry must derive the same material")
	}
	other, _ := m.DockerTLS("c2")
	if string(other.CACert) == string(a.CACert) {
		t.Fatal("clusters must not share a CA")
	}
	srvCfg, err := a.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", srvCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	good, _ := a.ClientConfig()
	if c, err := tls.Dial("tcp", ln.Addr().String(), good); err != nil {
		t.Fatalf("the cluster's client must be accepted: %v", err)
	} else {
		c.Close()
	}
	bad, _ := other.ClientConfig()
	if c, err := tls.Dial("tcp", ln.Addr().String(), bad); err == nil {
		err = c.Handshake()
		c.Close()
		if err == nil {
			t.Fatal("another cluster's client must be refused")
		}
	}
}
