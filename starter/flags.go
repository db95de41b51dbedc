package starter

import (
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/worker"
)

// bindConn adds the Temporal connection flags, defaulting to TEMPORAL_*
// variables.
func bindConn(fs *pflag.FlagSet, o *herdclient.Options) {
	fs.StringVar(&o.Address, "address", envOr("TEMPORAL_ADDRESS", "127.0.0.1:7233"), "Temporal frontend host:port (TEMPORAL_ADDRESS)")
	fs.StringVar(&o.Namespace, "namespace", envOr("TEMPORAL_NAMESPACE", "default"), "Temporal namespace (TEMPORAL_NAMESPACE)")
	fs.StringVar(&o.TLSCert, "tls-cert", os.Getenv("TEMPORAL_TLS_CERT"), "client certificate file for mTLS (TEMPORAL_TLS_CERT)")
	fs.StringVar(&o.TLSKey, "tls-key", os.Getenv("TEMPORAL_TLS_KEY"), "client key file for mTLS (TEMPORAL_TLS_KEY)")
	fs.StringVar(&o.TLSCA, "tls-ca", os.Getenv("TEMPORAL_TLS_CA"), "CA file to verify the server (TEMPORAL_TLS_CA)")
	fs.StringVar(&o.TLSServerName, "tls-server-name", os.Getenv("TEMPORAL_TLS_SERVER_NAME"), "server name to verify (TEMPORAL_TLS_SERVER_NAME)")
}

// bindObs adds --metrics-addr and --log-format.
func bindObs(fs *pflag.FlagSet, o *worker.Observability) {
	fs.StringVar(&o.MetricsAddr, "metrics-addr", os.Getenv("HERD_METRICS_ADDR"), "serve Prometheus metrics at http://ADDR/metrics, e.g. 127.0.0.1:9464 (HERD_METRICS_ADDR)")
	fs.StringVar(&o.LogFormat, "log-format", envOr("HERD_LOG_FORMAT", "text"), "log format: text or json (HERD_LOG_FORMAT)")
}

// envDuration is the duration in the environment variable, or def when it
// is unset or not a duration.
func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
