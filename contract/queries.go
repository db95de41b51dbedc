package contract

// Serf queries every herd node answers (`serf query NAME`, or `herd cluster
// query CLUSTER NAME`). Each answer is compact JSON, within Serf's 1,024-byte
// limit on a query response. Nothing else is answered: a node runs no
// command it is sent.
const (
	// QueryFacts answers the node's Facts.
	QueryFacts = "herd-facts"
	// QueryDNS answers the node's DNSView: what its DNS server resolves.
	QueryDNS = "herd-dns"
)

// Serf user events every herd node reacts to (`serf event NAME`, or `herd
// cluster event CLUSTER NAME`). Other events are logged and ignored.
const (
	// EventDNSRefresh has the node rebuild its DNS records (and hosts file)
	// from Serf's membership now.
	EventDNSRefresh = "herd-dns-refresh"
	// EventReregister has the node's Ambari agent register with the server
	// again, with a fresh hardware profile.
	EventReregister = "herd-reregister"
)

// Queries lists the queries a node answers, and Events the events it
// reacts to, in the order the CLI shows them.
var (
	Queries = []string{QueryFacts, QueryDNS}
	Events  = []string{EventDNSRefresh, EventReregister}
)

// Facts is a node's answer to QueryFacts.
type Facts struct {
	Node    string `json:"node"`
	Role    Role   `json:"role"`
	Version string `json:"version"`
	// Uptime is how long the node program has run, in seconds.
	Uptime int64 `json:"uptime_s"`
	// Load is the host's load average over 1, 5 and 15 minutes.
	Load [3]float64 `json:"load"`
	// MemTotal and MemAvailable are the host's memory, in MiB.
	MemTotal     int64  `json:"mem_total_mib"`
	MemAvailable int64  `json:"mem_avail_mib"`
	Disks        []Disk `json:"disks"`
}

// Disk is the space of one mounted file system, in MiB.
type Disk struct {
	Mount string `json:"mount"`
	Total int64  `json:"total_mib"`
	Free  int64  `json:"free_mib"`
}

// UsedPercent is how full the file system is.
func (d Disk) UsedPercent() float64 {
	if d.Total <= 0 {
		return 0
	}
	return 100 * float64(d.Total-d.Free) / float64(d.Total)
}

// DNSView is a node's answer to QueryDNS: how many names its DNS server
// resolves and a digest of them (name and address, sorted), so that nodes
// that see the cluster alike give the same digest.
type DNSView struct {
	Node    string `json:"node"`
	Records int    `json:"records"`
	Digest  string `json:"digest"`
}
