package secrets

import (
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// DockerServerName is the name every herd Docker engine's certificate
// holds; clients connect by IP and verify this name.
const DockerServerName = "herd-docker"

// DockerTLS is one cluster's Docker-over-TLS material: a CA, the engines'
// certificate and herd's client certificate. Keys come from the master key
// and Ed25519 signatures are deterministic, so every try of an activity
// derives the very same PEM: nothing needs storing, nothing enters history.
type DockerTLS struct {
	CACert, ServerCert, ServerKey, ClientCert, ClientKey []byte // PEM
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
	if out.ServerCert, out.ServerKey, err = m.leaf(cluster, "docker-server", ca, caKey, x509.ExtKeyUsageServerAuth, 2); err != nil {
		return out, err
	}
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
	if usage == x509.ExtKeyUsageServerAuth {
		tmpl.DNSNames = []string{DockerServerName}
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

// ClientConfig is the TLS configuration herd dials a cluster's engines with.
func (d DockerTLS) ClientConfig() (*tls.Config, error) {
	pair, err := tls.X509KeyPair(d.ClientCert, d.ClientKey)
	if err != nil {
		return nil, fmt.Errorf("docker client certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(d.CACert)
	return &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: pool, ServerName: DockerServerName, MinVersion: tls.VersionTLS12}, nil
}

// ServerConfig is the TLS configuration of an engine (for tests and proxies).
func (d DockerTLS) ServerConfig() (*tls.Config, error) {
	pair, err := tls.X509KeyPair(d.ServerCert, d.ServerKey)
	if err != nil {
		return nil, fmt.Errorf("docker server certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(d.CACert)
	return &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}, nil
}
