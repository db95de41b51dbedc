package secrets

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

func TestDockerTLSIsDeterministicAndPerCluster(t *testing.T) {
	m, _ := Parse("00112233445566778899aabbccddeeff")
	a, err := m.DockerTLS("c1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.DockerTLS("c1")
	if string(a.CACert) != string(b.CACert) || string(a.ClientCert) != string(b.ClientCert) || string(a.ClientKey) != string(b.ClientKey) {
		t.Fatal("a retry must derive the same material")
	}
	other, _ := m.DockerTLS("c2")
	if string(other.CACert) == string(a.CACert) {
		t.Fatal("clusters must not share a CA")
	}
}

// engine is a TLS server with a cluster's engine configuration and a
// certificate of its own, as a host makes at boot; it reports, per
// connection, whether the handshake succeeded on its side.
func engine(t *testing.T, d DockerTLS) (string, string, <-chan error) {
	cert, pin := selfSigned(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", d.EngineConfig(cert))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	results := make(chan error, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			results <- c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	return ln.Addr().String(), pin, results
}

func selfSigned(t *testing.T) (tls.Certificate, string) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, Fingerprint(der)
}

// dial connects with cfg and reads, so that a server's refusal (sent after
// the client's part of a TLS 1.3 handshake) reaches the client.
func dial(addr string, cfg *tls.Config) error {
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = c.Read(make([]byte, 1))
	if errors.Is(err, io.EOF) {
		return nil // the server accepted and closed
	}
	return err
}

// The engine accepts the cluster's own client and refuses, on its side,
// a client that trusts it but shows another cluster's certificate or none;
// herd's client refuses an engine that is not the one pinned.
func TestDockerTLSEngineRefusesForeignClients(t *testing.T) {
	m, _ := Parse("00112233445566778899aabbccddeeff")
	a, _ := m.DockerTLS("c1")
	other, _ := m.DockerTLS("c2")
	addr, pin, results := engine(t, a)
	good, _ := a.ClientConfig(pin)
	if err := dial(addr, good); err != nil {
		t.Fatalf("the cluster's client must be accepted: %v", err)
	}
	if err := <-results; err != nil {
		t.Fatalf("the engine must accept the cluster's client: %v", err)
	}
	foreign, _ := other.ClientConfig(pin) // it trusts c1's engine: only the engine can refuse it
	noCert := good.Clone()
	noCert.Certificates = nil
	for name, cfg := range map[string]*tls.Config{"another cluster's certificate": foreign, "no certificate": noCert} {
		if err := dial(addr, cfg); err == nil {
			t.Errorf("a client with %s must be refused", name)
		}
		if err := <-results; err == nil {
			t.Errorf("the engine must refuse a client with %s on its side", name)
		}
	}
}

func TestKeyFileIsCheckedBeforeUse(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "none.key")); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "--secret-file") {
		t.Fatalf("a missing key must say where to get one: %v", err)
	}
	path := filepath.Join(dir, "master.key")
	m, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "chmod 600 "+path) {
		t.Fatalf("a world-readable key must be refused naming the fix: %v", err)
	}
	_ = os.Chmod(path, 0o600)
	if err := (KeyFile{Master: m, Codec: 3}).Write(path); err != nil {
		t.Fatal(err)
	}
	kf, err := ReadKeyFile(path)
	if err != nil || kf.Codec != 3 || string(kf.Master) != string(m) {
		t.Fatalf("key file round trip: %+v %v", kf, err)
	}
	_ = os.WriteFile(path, []byte("00112233445566778899aabbccddeeff\nsomething else\n"), 0o600)
	if _, err := ReadKeyFile(path); err == nil || !strings.Contains(err.Error(), `only "codec-key N" may follow`) {
		t.Fatalf("a stray line must be refused: %v", err)
	}
}

func TestClientRefusesAnEngineNotPinned(t *testing.T) {
	m, _ := Parse("00112233445566778899aabbccddeeff")
	a, _ := m.DockerTLS("c1")
	addr, _, results := engine(t, a)
	_, otherPin := selfSigned(t)
	impostor, _ := a.ClientConfig(otherPin)
	if err := dial(addr, impostor); err == nil || !strings.Contains(err.Error(), "is not the one its host announced") {
		t.Fatalf("an engine with another certificate must be refused: %v", err)
	}
	<-results
	if _, err := a.ClientConfig(""); err == nil {
		t.Fatal("no pin, no client")
	}
}
