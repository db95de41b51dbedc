package worker

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/metrics"
)

// Observability is how a worker logs and exposes metrics.
type Observability struct {
	MetricsAddr string // "" = no metrics endpoint
	LogFormat   string // text or json
	registry    *prometheus.Registry
}

// Logger returns the slog logger the flags ask for and makes it the
// default, so libraries logging with the standard log package (Serf's RPC
// client) land in the same stream and format.
func (o *Observability) Logger() (*slog.Logger, error) {
	var l *slog.Logger
	switch o.LogFormat {
	case "text":
		l = slog.New(slog.NewTextHandler(os.Stderr, nil))
	case "json":
		l = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	default:
		return nil, fmt.Errorf("--log-format %q: use text or json", o.LogFormat)
	}
	slog.SetDefault(l)
	return l, nil
}

// ClientMetrics is the SDK metrics handler to dial with (nil without an
// endpoint).
func (o *Observability) ClientMetrics() client.MetricsHandler {
	if o.MetricsAddr == "" {
		return nil
	}
	o.registry = prometheus.NewRegistry()
	o.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return metrics.NewHandler(o.registry)
}

// Serve starts the metrics endpoint, with herd_clusters counted through c.
func (o *Observability) Serve(c client.Client, namespace string, log *slog.Logger) (*metrics.Server, error) {
	if o.registry == nil {
		return nil, nil
	}
	o.registry.MustRegister(metrics.NewPhases(c, namespace, cluster.Phases))
	srv, err := metrics.Serve(o.MetricsAddr, o.registry, log)
	if err != nil {
		return nil, err
	}
	log.Info("metrics served", "url", "http://"+srv.Addr+"/metrics")
	return srv, nil
}
