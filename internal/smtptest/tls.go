package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// starttlsServer is aiosmtpd as a relay that asks for care: STARTTLS before
// anything else, then PLAIN or LOGIN auth before MAIL. It prints, for each
// message, whether it came over TLS and who sent it, then the message.
const starttlsServer = `
import ssl, sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
addr, cert, key, user, password = sys.argv[1:6]
host, port = addr.rsplit(":", 1)
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)

def authenticator(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
    return AuthResult(success=ok, handled=False, auth_data=data.login.decode() if ok else None)

class Printer:
    async def handle_DATA(self, server, session, envelope):
        print("---- tls=%s user=%s" % (session.ssl is not None, session.auth_data), flush=True)
        print(envelope.content.decode("utf-8", "replace"), flush=True)
        return "250 OK"

Controller(Printer(), hostname=host, port=int(port), tls_context=ctx, require_starttls=True,
           auth_required=True, authenticator=authenticator).start()
threading.Event().wait()
`

// StartTLS runs aiosmtpd as a relay that requires STARTTLS and then auth as
// user with password; its certificate, for 127.0.0.1 only, is signed by a
// CA made for the test, whose PEM file is the returned CAFile.
func StartTLS(t testing.TB, user, password string) (*Server, string) {
	t.Helper()
	dir := t.TempDir()
	caFile, certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := writeCerts(caFile, certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "server.py")
	if err := os.WriteFile(script, []byte(starttlsServer), 0o600); err != nil {
		t.Fatal(err)
	}
	return run(t, func(addr string) []string { return []string{script, addr, certFile, keyFile, user, password} }), caFile
}

// writeCerts makes a CA and a server certificate for 127.0.0.1 signed by
// it, and writes the CA's certificate, the server's and its key as PEM.
func writeCerts(caFile, certFile, keyFile string) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "herd test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	for file, block := range map[string]*pem.Block{caFile: {Type: "CERTIFICATE", Bytes: caDER},
		certFile: {Type: "CERTIFICATE", Bytes: leafDER}, keyFile: {Type: "PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
			return err
		}
	}
	return nil
}
