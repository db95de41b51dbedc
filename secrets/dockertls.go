package secrets

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// DockerTLS is one cluster's Docker-over-TLS material on herd's side: a
// CA, which engines trust to tell herd's clients, and herd's client
// certificate. No engine key is here: each cloud host makes its own at
// boot, and herd pins the engine certificate's fingerprint, read from the
// host's console. Keys come from the master key and Ed25519 signatures are
// deterministic, so every try of an activity derives the very same PEM.
type DockerTLS struct {
	CACert, ClientCert, ClientKey []byte // PEM
}

var (
	tlsNotBefore = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tlsNotAfter  = tlsNotBefore.AddDate(30, 0, 0)
)

// DockerTLS derives the cluster's Docker TLS material.
func (m Master) DockerTLS(cluster string) (DockerTLS, error) {
	caKey := ed25519.NewKeyFromSeed(m.derive("docker-ca", cluster))
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "herd " + cluster + " CA"},
		NotBefore: tlsNotBefore, NotAfter: tlsNotAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(nil, ca, ca, caKey.Public(), caKey)
	if err != nil {
		return DockerTLS{}, fmt.Errorf("docker CA of %s: %w", cluster, err)
	}
	ca, _ = x509.ParseCertificate(caDER)
	out := DockerTLS{CACert: pemBlock("CERTIFICATE", caDER)}
	out.ClientCert, out.ClientKey, err = m.leaf(cluster, "docker-client", ca, caKey, x509.ExtKeyUsageClientAuth, 3)
	return out, err
}

func (m Master) leaf(cluster, purpose string, ca *x509.Certificate, caKey ed25519.PrivateKey, usage x509.ExtKeyUsage, serial int64) ([]byte, []byte, error) {
	key := ed25519.NewKeyFromSeed(m.derive(purpose, cluster))
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "herd " + cluster + " " + purpose},
		NotBefore: tlsNotBefore, NotAfter: tlsNotAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(nil, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("%s certificate of %s: %w", purpose, cluster, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pemBlock("CERTIFICATE", der), pemBlock("PRIVATE KEY", keyDER), nil
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

// Fingerprint is how herd pins an engine's certificate: the SHA-256 of
// its DER, in hex (what `openssl x509 -outform DER | sha256sum` prints).
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// ClientConfig is the TLS configuration herd dials an engine with: herd's
// client certificate, and the engine known by its certificate's
// fingerprint pin alone.
func (d DockerTLS) ClientConfig(pin string) (*tls.Config, error) {
	if pin == "" {
		return nil, fmt.Errorf("no fingerprint of the engine's certificate to pin: its host has not told it yet")
	}
	pair, err := tls.X509KeyPair(d.ClientCert, d.ClientKey)
	if err != nil {
		return nil, fmt.Errorf("docker client certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12,
		InsecureSkipVerify: true, // the engine is verified by its pinned fingerprint instead
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || Fingerprint(raw[0]) != pin {
				return fmt.Errorf("the engine's certificate is not the one its host announced (pin %s)", pin)
			}
			return nil
		}}, nil
}

// EngineConfig is what an engine's TLS looks like to herd: its own
// certificate, and clients verified against the cluster's CA (dockerd's
// tlsverify). For tests and proxies that stand for an engine.
func (d DockerTLS) EngineConfig(cert tls.Certificate) *tls.Config {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(d.CACert)
	return &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}
}
