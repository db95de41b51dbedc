// Package faultproxy is a fault-injecting proxy in front of the Docker
// API, for the chaos tests: every Nth call fails — a 500, a connection
// reset before or after the engine saw it, or seconds of delay — so that
// herd's retries and idempotence are exercised on the real engine. It can
// also refuse chosen calls as the engine itself would (StartRefusing).
package faultproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// Fault kinds, in the order they are dealt.
const (
	Status500   = "500"
	ResetBefore = "reset before"
	Delay       = "delay"
	ResetAfter  = "reset after"
)

var kinds = []string{Status500, ResetBefore, Delay, ResetAfter}

// Proxy forwards to a Docker engine's unix socket.
type Proxy struct {
	Every int           // one call in Every is faulted
	Pause time.Duration // the delay fault's length

	mu     sync.Mutex
	calls  int
	faults map[string]int
	next   http.Handler
	srv    *http.Server
	Addr   string
	refuse Refusal
}

// Refusal answers a call in the engine's stead when it returns a status
// (0: forward it): a fault the engine makes on its own, played on cue.
type Refusal func(r *http.Request) (status int, message string)

// Start listens on 127.0.0.1 and forwards to socket.
func Start(socket string, every int, pause time.Duration) (*Proxy, error) {
	return start(socket, &Proxy{Every: every, Pause: pause})
}

// StartRefusing listens on 127.0.0.1 and forwards to socket every call
// that refuse lets through; it deals no other fault.
func StartRefusing(socket string, refuse Refusal) (*Proxy, error) {
	return start(socket, &Proxy{refuse: refuse})
}

func start(socket string, p *Proxy) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fault proxy: %w", err)
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: "docker"})
	rp.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", socket)
	}}
	p.faults, p.next, p.Addr = map[string]int{}, rp, ln.Addr().String()
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() error { return p.srv.Close() }

// Faults counts the faults dealt, by kind.
func (p *Proxy) Faults() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.faults {
		out[k] = v
	}
	return out
}

func (p *Proxy) fault() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.Every <= 0 || p.calls%p.Every != 0 {
		return ""
	}
	k := kinds[(p.calls/p.Every)%len(kinds)]
	p.faults[k]++
	return k
}

// ServeHTTP forwards a call, or faults it.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.refuse != nil {
		if status, msg := p.refuse(r); status != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
			return
		}
	}
	switch p.fault() {
	case Status500:
		http.Error(w, `{"message":"fault proxy: injected server error"}`, http.StatusInternalServerError)
	case ResetBefore:
		reset(w)
	case Delay:
		time.Sleep(p.Pause)
		p.next.ServeHTTP(w, r)
	case ResetAfter:
		p.next.ServeHTTP(discard{w.Header()}, r)
		reset(w)
	default:
		p.next.ServeHTTP(w, r)
	}
}

// reset closes the client's connection without an answer.
func reset(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			c.Close()
		}
	}
}

// discard is a response writer whose answer nobody reads: the engine did
// the call, the client never learns it.
type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}
