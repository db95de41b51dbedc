// Package smtptest runs a real SMTP server for tests: Debian's aiosmtpd
// (python3-aiosmtpd), printing every message it gets.
package smtptest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/herdhq/herd/internal/freeport"
)

// python is Debian's interpreter, where python3-aiosmtpd installs (a
// python3 earlier on the PATH, such as pyenv's, may lack it).
const python = "/usr/bin/python3"

// Server is a running aiosmtpd.
type Server struct {
	Addr string
	mu   sync.Mutex
	out  bytes.Buffer
}

// Start runs aiosmtpd on a free port until the test ends, and waits until
// it accepts connections. Without it the test fails under CI=true (.ci/run
// installs it) and is skipped elsewhere.
func Start(t testing.TB) *Server {
	t.Helper()
	return run(t, func(addr string) []string {
		return []string{"-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Debugging", "-l", addr}
	})
}

// run starts python with the arguments args gives for a free address, and
// waits until it accepts connections there.
func run(t testing.TB, args func(addr string) []string) *Server {
	t.Helper()
	if exec.Command(python, "-c", "import aiosmtpd").Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("aiosmtpd is not installed: apt-get install python3-aiosmtpd (.ci/run does)")
		}
		t.Skip("python3-aiosmtpd is not installed")
	}
	addrs, err := freeport.Addrs("127.0.0.1", 1)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: addrs[0]}
	cmd := exec.Command(python, args(s.Addr)...)
	cmd.Stdout, cmd.Stderr = s, s
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", s.Addr); err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("aiosmtpd did not listen on %s: %s", s.Addr, s.Output())
		}
	}
}

// Write collects the server's output.
func (s *Server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

// Output is what the server printed: every message it got, headers and
// body.
func (s *Server) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}
