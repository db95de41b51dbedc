package activities

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/herdhq/herd/cluster"
)

// targetTLS is how a notification target's server is checked: against the
// system's CAs, or those of the target's CA file, read now (it is on the
// worker, and may change while a delivery is retried).
func targetTLS(t cluster.NotifyTarget) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CAFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(t.CAFile)
	if err != nil {
		return nil, fmt.Errorf("CA file of target %s: %w", t.Name, err)
	}
	cfg.RootCAs = x509.NewCertPool()
	if !cfg.RootCAs.AppendCertsFromPEM(pem) {
		return nil, permanent("BadCAFile", "CA file %s of target %s holds no PEM certificate: give the CA's certificate (-----BEGIN CERTIFICATE-----)", t.CAFile, t.Name)
	}
	return cfg, nil
}

// certError says what to change when the server's certificate is not one
// to trust; those errors are permanent (trying again changes nothing),
// other errors may pass.
func certError(t cluster.NotifyTarget, what string, err error) error {
	var unknown x509.UnknownAuthorityError
	var name x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return permanent("UntrustedCertificate", "%s: %v: give the CA that signed the server's certificate to target %s with --ca-file (a PEM file on the worker)", what, err, t.Name)
	case errors.As(err, &name):
		return permanent("CertificateName", "%s: %v: address the server of target %s by a name its certificate holds", what, err, t.Name)
	}
	return fmt.Errorf("%s: %w", what, err)
}
