// Package clusterdns is the DNS server inside every herd node (the job dnsmasq
// did in the 2014 images): A and PTR records for the alive Serf members,
// NXDOMAIN for unknown names in the cluster domain, everything else forwarded.
package clusterdns

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Host is one cluster member as DNS sees it.
type Host struct {
	FQDN string
	IP   net.IP
}

// Records is the set of names served for the cluster domain. It is safe for
// concurrent use; Replace swaps the whole set at once.
type Records struct {
	domain string // fully qualified, lower case, e.g. "herd.local."

	mu      sync.RWMutex
	forward map[string]net.IP // fqdn. and short. -> ip
	reverse map[string]string // in-addr.arpa. -> fqdn.
	hosts   []Host
}

// NewRecords returns an empty record set for domain.
func NewRecords(domain string) *Records {
	return &Records{
		domain:  dns.Fqdn(strings.ToLower(domain)),
		forward: map[string]net.IP{},
		reverse: map[string]string{},
	}
}

// Domain is the cluster domain, fully qualified.
func (r *Records) Domain() string { return r.domain }

// Replace makes hosts the only names served.
func (r *Records) Replace(hosts []Host) {
	fwd := make(map[string]net.IP, 2*len(hosts))
	rev := make(map[string]string, len(hosts))
	sorted := append([]Host(nil), hosts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].FQDN < sorted[j].FQDN })
	for _, h := range sorted {
		ip := h.IP.To4()
		if ip == nil {
			continue
		}
		fqdn := dns.Fqdn(strings.ToLower(h.FQDN))
		fwd[fqdn] = ip
		if short := r.shortName(fqdn); short != "" {
			fwd[short] = ip
		}
		if arpa, err := dns.ReverseAddr(ip.String()); err == nil {
			rev[arpa] = fqdn
		}
	}
	r.mu.Lock()
	r.forward, r.reverse, r.hosts = fwd, rev, sorted
	r.mu.Unlock()
}

// shortName returns "node-1." for "node-1.herd.local." in domain herd.local.
func (r *Records) shortName(fqdn string) string {
	if !strings.HasSuffix(fqdn, "."+r.domain) {
		return ""
	}
	return strings.TrimSuffix(fqdn, r.domain)
}

// LookupA returns the address of name (fully qualified, any case).
func (r *Records) LookupA(name string) (net.IP, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ip, ok := r.forward[strings.ToLower(name)]
	return ip, ok
}

// LookupPTR returns the FQDN of a reverse name such as 4.3.2.1.in-addr.arpa.
func (r *Records) LookupPTR(name string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	fqdn, ok := r.reverse[strings.ToLower(name)]
	return fqdn, ok
}

// InDomain reports whether name belongs to the cluster domain.
func (r *Records) InDomain(name string) bool {
	return dns.IsSubDomain(r.domain, strings.ToLower(dns.Fqdn(name)))
}

// Hosts returns the served hosts, sorted by name.
func (r *Records) Hosts() []Host {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]Host(nil), r.hosts...)
}

// WriteHostsFile writes the records as a dnsmasq-compatible hosts file
// (`IP fqdn short`), atomically.
func (r *Records) WriteHostsFile(path string) error {
	var b strings.Builder
	b.WriteString("# written by herd-node from serf members -status=alive\n")
	for _, h := range r.Hosts() {
		fqdn := strings.TrimSuffix(strings.ToLower(h.FQDN), ".")
		short := strings.TrimSuffix(r.shortName(dns.Fqdn(fqdn)), ".")
		fmt.Fprintf(&b, "%s %s %s\n", h.IP, fqdn, short)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hosts-*")
	if err != nil {
		return fmt.Errorf("write hosts file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return fmt.Errorf("write hosts file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write hosts file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write hosts file %s: %w", path, err)
	}
	return nil
}
