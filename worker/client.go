// Package worker runs herd's Temporal worker: the provisioning workflows and
// their activities on the "herd" task queue, against any Temporal cluster.
package worker

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// ClientOptions says how to reach Temporal.
type ClientOptions struct {
	Address       string
	Namespace     string
	TLSCert       string
	TLSKey        string
	TLSCA         string
	TLSServerName string
	Logger        *slog.Logger
	Metrics       client.MetricsHandler // nil: no SDK metrics
}

// BindFlags adds the connection flags, defaulting to TEMPORAL_* variables.
func (o *ClientOptions) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Address, "address", envOr("TEMPORAL_ADDRESS", "127.0.0.1:7233"), "Temporal frontend host:port (TEMPORAL_ADDRESS)")
	fs.StringVar(&o.Namespace, "namespace", envOr("TEMPORAL_NAMESPACE", "default"), "Temporal namespace (TEMPORAL_NAMESPACE)")
	fs.StringVar(&o.TLSCert, "tls-cert", os.Getenv("TEMPORAL_TLS_CERT"), "client certificate file for mTLS (TEMPORAL_TLS_CERT)")
	fs.StringVar(&o.TLSKey, "tls-key", os.Getenv("TEMPORAL_TLS_KEY"), "client key file for mTLS (TEMPORAL_TLS_KEY)")
	fs.StringVar(&o.TLSCA, "tls-ca", os.Getenv("TEMPORAL_TLS_CA"), "CA file to verify the server (TEMPORAL_TLS_CA)")
	fs.StringVar(&o.TLSServerName, "tls-server-name", os.Getenv("TEMPORAL_TLS_SERVER_NAME"), "server name to verify (TEMPORAL_TLS_SERVER_NAME)")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Dial connects to Temporal.
func Dial(o ClientOptions) (client.Client, error) {
	opts := client.Options{HostPort: o.Address, Namespace: o.Namespace}
	if o.Logger != nil {
		opts.Logger = sdklog.NewStructuredLogger(o.Logger)
	}
	if o.Metrics != nil {
		opts.MetricsHandler = o.Metrics
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

func (o ClientOptions) tlsConfig() (*tls.Config, error) {
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
