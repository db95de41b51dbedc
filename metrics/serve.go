package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Server serves /metrics.
type Server struct {
	srv  *http.Server
	Addr string
}

// Serve listens on addr and serves the registry at /metrics.
func Serve(addr string, reg *prometheus.Registry, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, Addr: ln.Addr().String()}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err)
		}
	}()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Phases counts running clusters by phase (herd_clusters{phase}) with one
// visibility count per phase at each scrape.
type Phases struct {
	Client    client.Client
	Namespace string
	Phases    []cluster.Phase
	desc      *prometheus.Desc
}

// NewPhases returns the collector of clusters by phase.
func NewPhases(c client.Client, namespace string, phases []cluster.Phase) *Phases {
	return &Phases{Client: c, Namespace: namespace, Phases: phases,
		desc: prometheus.NewDesc("herd_clusters", "running clusters by phase", []string{"phase"}, nil)}
}

// Describe implements prometheus.Collector.
func (p *Phases) Describe(ch chan<- *prometheus.Desc) { ch <- p.desc }

// Collect implements prometheus.Collector.
func (p *Phases) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, phase := range p.Phases {
		q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND %s = '%s'", cluster.WorkflowCluster, cluster.SAPhase, phase)
		resp, err := p.Client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: p.Namespace, Query: q})
		if err != nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(p.desc, prometheus.GaugeValue, float64(resp.Count), string(phase))
	}
}
