// Package freeport finds free TCP ports, for servers started on ports the
// kernel picks (tests, the embedded server's inner services).
package freeport

import (
	"fmt"
	"net"
)

// Addrs returns n distinct free host:port addresses on ip, all held open
// until every one is found so that none repeats.
func Addrs(ip string, n int) ([]string, error) {
	var out []string
	var lns []net.Listener
	defer func() {
		for _, l := range lns {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return nil, fmt.Errorf("find a free port on %s: %w", ip, err)
		}
		lns = append(lns, l)
		out = append(out, l.Addr().String())
	}
	return out, nil
}

// Ports is Addrs' port numbers.
func Ports(ip string, n int) ([]int, error) {
	addrs, err := Addrs(ip, n)
	ports := make([]int, len(addrs))
	for i, a := range addrs {
		_, p, _ := net.SplitHostPort(a)
		fmt.Sscan(p, &ports[i])
	}
	return ports, err
}
