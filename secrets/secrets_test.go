package secrets

import (
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
