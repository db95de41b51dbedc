package e2e

import (
	"net"
	"testing"

	"github.com/docker/docker/api/types/network"
)

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func networkInspectOptions() network.InspectOptions { return network.InspectOptions{} }
