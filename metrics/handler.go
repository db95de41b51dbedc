// Package metrics exposes the Temporal SDK's metrics and herd's own on a
// Prometheus endpoint: a client.MetricsHandler backed by a Prometheus
// registry, and the collector of clusters by phase.
package metrics

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// Handler implements client.MetricsHandler on a Prometheus registry. A
// metric's label names are fixed by its first use; later tags outside them
// are dropped and missing ones are empty.
type Handler struct {
	reg  *prometheus.Registry
	tags map[string]string
	vecs *vecs
}

type vecs struct {
	mu     sync.Mutex
	labels map[string][]string
	byName map[string]prometheus.Collector
}

// NewHandler returns a handler registering its metrics in reg.
func NewHandler(reg *prometheus.Registry) *Handler {
	return &Handler{reg: reg, tags: map[string]string{}, vecs: &vecs{labels: map[string][]string{}, byName: map[string]prometheus.Collector{}}}
}

// WithTags returns a handler adding tags to every metric.
func (h *Handler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(h.tags)+len(tags))
	for k, v := range h.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	return &Handler{reg: h.reg, tags: merged, vecs: h.vecs}
}

// Counter returns the named counter with this handler's tags.
func (h *Handler) Counter(name string) client.MetricsCounter {
	c := h.get(name, func(labels []string) prometheus.Collector {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: sanitize(name), Help: name}, labels)
	})
	return counter{c.(*prometheus.CounterVec).WithLabelValues(h.values(name)...)}
}

// Gauge returns the named gauge with this handler's tags.
func (h *Handler) Gauge(name string) client.MetricsGauge {
	g := h.get(name, func(labels []string) prometheus.Collector {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: sanitize(name), Help: name}, labels)
	})
	return gauge{g.(*prometheus.GaugeVec).WithLabelValues(h.values(name)...)}
}

// Timer returns the named timer (a histogram in seconds) with this
// handler's tags.
func (h *Handler) Timer(name string) client.MetricsTimer {
	t := h.get(name, func(labels []string) prometheus.Collector {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: sanitize(name) + "_seconds", Help: name,
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 12)}, labels)
	})
	return timer{t.(*prometheus.HistogramVec).WithLabelValues(h.values(name)...)}
}

func (h *Handler) get(name string, build func([]string) prometheus.Collector) prometheus.Collector {
	h.vecs.mu.Lock()
	defer h.vecs.mu.Unlock()
	if c, ok := h.vecs.byName[name]; ok {
		return c
	}
	labels := labelNames(h.tags)
	c := build(labels)
	if err := h.reg.Register(c); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			c = are.ExistingCollector
		}
	}
	h.vecs.labels[name], h.vecs.byName[name] = labels, c
	return c
}

func labelNames(tags map[string]string) []string {
	labels := make([]string, 0, len(tags))
	for k := range tags {
		labels = append(labels, sanitize(k))
	}
	sort.Strings(labels)
	return labels
}

func (h *Handler) values(name string) []string {
	h.vecs.mu.Lock()
	labels := h.vecs.labels[name]
	h.vecs.mu.Unlock()
	byLabel := map[string]string{}
	for k, v := range h.tags {
		byLabel[sanitize(k)] = v
	}
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = byLabel[l]
	}
	return out
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

type counter struct{ c prometheus.Counter }

func (c counter) Inc(n int64) { c.c.Add(float64(n)) }

type gauge struct{ g prometheus.Gauge }

func (g gauge) Update(v float64) { g.g.Set(v) }

type timer struct{ o prometheus.Observer }

func (t timer) Record(d time.Duration) { t.o.Observe(d.Seconds()) }
