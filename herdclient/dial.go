// Package herdclient is herd's typed client: it starts cluster workflows,
// reads their status, sends them operations and follows them, and manages
// scale schedules, through Temporal only. The CLI, `herd up`, the bench and
// the end-to-end tests use it; it does not link the workflows.
package herdclient

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
)

// Options says how to reach Temporal.
type Options struct {
	Address       string
	Namespace     string
	TLSCert       string
	TLSKey        string
	TLSCA         string
	TLSServerName string
	Logger        *slog.Logger
	Metrics       client.MetricsHandler // nil: no SDK metrics
	// DataConverter encodes payloads (codec.DataConverter: encrypted);
	// nil is Temporal's default, in clear.
	DataConverter converter.DataConverter
}

// Dial connects to Temporal.
func Dial(o Options) (client.Client, error) {
	opts := client.Options{HostPort: o.Address, Namespace: o.Namespace}
	if o.Logger != nil {
		opts.Logger = sdklog.NewStructuredLogger(o.Logger)
	}
	if o.Metrics != nil {
		opts.MetricsHandler = o.Metrics
	}
	if o.DataConverter != nil {
		opts.DataConverter = o.DataConverter
		// Failure messages and stacks are payloads too, so encrypted alike.
		opts.FailureConverter = temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
			DataConverter: o.DataConverter, EncodeCommonAttributes: true})
	}
	tlsCfg, err := o.tlsConfig()
	if err != nil {
		return nil, err
	}
	opts.ConnectionOptions.TLS = tlsCfg
	c, err := client.Dial(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w; is `herd dev` running, or TEMPORAL_ADDRESS set?", o.Address, o.Namespace, err)
	}
	return c, nil
}

func (o Options) tlsConfig() (*tls.Config, error) {
	if o.TLSCert == "" && o.TLSCA == "" && o.TLSServerName == "" {
		return nil, nil
	}
	cfg := &tls.Config{ServerName: o.TLSServerName, MinVersion: tls.VersionTLS12}
	if o.TLSCert != "" || o.TLSKey != "" {
		pair, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("load TLS client certificate %s / %s: %w", o.TLSCert, o.TLSKey, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if o.TLSCA != "" {
		pem, err := os.ReadFile(o.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("read TLS CA %s: %w", o.TLSCA, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA %s holds no PEM certificate", o.TLSCA)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}
