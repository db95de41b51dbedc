package clusterdns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/miekg/dns"
)

// Server serves a Handler on one address over UDP and TCP.
type Server struct {
	udp, tcp *dns.Server
}

// Listen binds addr (e.g. 127.0.0.1:53) on UDP and TCP and serves h.
func Listen(addr string, h dns.Handler) (*Server, error) {
	pc, ln, err := listenBoth(addr)
	for try := 1; errors.Is(err, syscall.EADDRINUSE) && ephemeral(addr) && try < 10; try++ {
		pc, ln, err = listenBoth(addr) // another process holds that TCP port: let the system pick again
	}
	if err != nil {
		return nil, err
	}
	s := &Server{
		udp: &dns.Server{PacketConn: pc, Handler: h},
		tcp: &dns.Server{Listener: ln, Handler: h},
	}
	go func() { _ = s.udp.ActivateAndServe() }()
	go func() { _ = s.tcp.ActivateAndServe() }()
	return s, nil
}

// listenBoth binds UDP on addr, then TCP on the port UDP got.
func listenBoth(addr string) (net.PacketConn, net.Listener, error) {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen dns udp %s: %w", addr, err)
	}
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		pc.Close()
		return nil, nil, fmt.Errorf("listen dns tcp %s: %w", addr, err)
	}
	return pc, ln, nil
}

// ephemeral reports whether addr leaves the port to the system (port 0).
func ephemeral(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	return err == nil && (port == "0" || port == "")
}

// Addr is the bound address (UDP and TCP share it).
func (s *Server) Addr() string { return s.udp.PacketConn.LocalAddr().String() }

// Shutdown stops both listeners.
func (s *Server) Shutdown(ctx context.Context) error {
	return errors.Join(s.udp.ShutdownContext(ctx), s.tcp.ShutdownContext(ctx))
}

// Resolver returns a net.Resolver that asks only this server-style address,
// the way a process in a container started with --dns 127.0.0.1 does.
func Resolver(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}
