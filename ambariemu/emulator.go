// Package ambariemu is an EMULATOR of the Apache Ambari server: it serves the
// subset of Ambari's v1 REST API that herd uses, with Ambari's endpoints, JSON
// shapes, status codes and request lifecycle, fed by herd-node agents that
// register over the network. It installs nothing: it is the local demo and
// the test double, not Ambari. A real Ambari image can replace it.
package ambariemu

import (
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/herdhq/herd/ambari"
)

// Config tunes the emulator.
type Config struct {
	User, Password   string        // basic-auth credentials the API accepts
	TaskDuration     time.Duration // how long each task stays IN_PROGRESS
	FailHosts        []string      // tasks on these hosts end FAILED
	FailComponents   []string      // tasks of these components end FAILED
	HeartbeatTimeout time.Duration // silence after which a host is HEARTBEAT_LOST
	NodeManagerMB    int64         // memory each NodeManager offers to YARN containers
	Now              func() time.Time
	Logger           *slog.Logger
}

// Emulator holds the emulated server's state. Step advances its requests;
// Run calls Step on a ticker.
type Emulator struct {
	cfg Config

	mu         sync.Mutex
	hosts      map[string]*host
	blueprints map[string]ambari.Blueprint
	clusters   map[string]*cluster
	requests   []*request
	nextTask   int64
	apps       []*App
	nextApp    int64
	// alertStates keeps each host alert's id and since when it is in its
	// state, by "host/definition".
	alertStates map[string]*alertState
	version     uint64 // bumped by every change, for persistence
	written     uint64 // the version of the last write through the API
	// wake tells Run of a change that may give it work (a request, an app,
	// a host registering) while it rests.
	wake chan struct{}
}

type host struct {
	name, ip    string
	lastBeat    time.Time
	registered  time.Time
	cluster     string
	group       string
	responseSeq int64
	profile     ambari.HardwareProfile
	publicName  string
	alerts      map[string]ambari.AgentAlert // the alerts its agent last reported, by name
}

type cluster struct {
	id             int64
	name           string
	blueprint      string
	services       map[string]string // service -> INSTALLED | STARTED
	hosts          []string
	created        time.Time
	decommissioned map[string]bool // "host/COMPONENT"
	configs        []configVersion
	configGroups   []configGroup
	configChanged  map[string]time.Time // service -> when its configuration last changed
}

// New returns an emulator with no hosts, blueprints or clusters.
func New(cfg Config) *Emulator {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HeartbeatTimeout <= 0 {
		cfg.HeartbeatTimeout = 30 * time.Second
	}
	if cfg.NodeManagerMB <= 0 {
		cfg.NodeManagerMB = 8192
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Emulator{
		cfg:         cfg,
		hosts:       map[string]*host{},
		alertStates: map[string]*alertState{},
		blueprints:  map[string]ambari.Blueprint{},
		clusters:    map[string]*cluster{},
		wake:        make(chan struct{}, 1),
	}
}

// Run advances requests every interval while there is work (a request
// not finished, a YARN application running) and rests otherwise until a
// change wakes it, saving the state to statePath (when set) after changes:
// at once after a write through the API, at most every saveEvery after
// the emulator's own progress.
func (e *Emulator) Run(interval time.Duration, stop <-chan struct{}, statePath string) {
	t := time.NewTicker(interval)
	defer t.Stop()
	ticking := true
	s := &saver{path: statePath, every: saveEvery}
	defer s.stop()
	for {
		if busy := e.busy(); busy != ticking {
			if busy {
				t.Reset(interval)
			} else {
				t.Stop()
			}
			ticking = busy
		}
		select {
		case <-stop:
			s.flush(e)
			return
		case <-t.C:
			e.Step()
		case <-e.wake:
		case <-s.due():
			s.fired()
		}
		s.after(e)
	}
}

// busy reports whether Step has anything to do.
func (e *Emulator) busy() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.requests {
		if !ambari.IsFinal(e.status(r)) {
			return true
		}
	}
	for _, a := range e.apps {
		if a.State != "FINISHED" {
			return true
		}
	}
	return false
}

// kick wakes Run if it rests.
func (e *Emulator) kick() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// versions reports the current version and that of the last API write.
func (e *Emulator) versions() (current, written uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.version, e.written
}

// bump records a write through the API: Run saves it at once.
func (e *Emulator) bump() {
	e.mu.Lock()
	e.version++
	e.written = e.version
	e.mu.Unlock()
	e.kick()
}

func (e *Emulator) alive(h *host, now time.Time) bool {
	return now.Sub(h.lastBeat) <= e.cfg.HeartbeatTimeout
}

func (e *Emulator) hostView(h *host, now time.Time) ambari.Host {
	major, _, _ := strings.Cut(h.profile.OSRelease, ".")
	v := ambari.Host{
		HostName: h.name, IP: h.ip, ClusterName: h.cluster,
		LastHeartbeatTime: h.lastBeat.UnixMilli(), LastRegistrationTime: h.registered.UnixMilli(),
		HostState: ambari.HostHealthy, HostStatus: ambari.HostHealthy,
		PublicHostName: h.publicName, OSType: h.profile.OperatingSystem + major, OSArch: "x86_64",
		CPUCount: h.profile.ProcessorCount, PhysicalCPUCount: h.profile.ProcessorCount, TotalMem: h.profile.MemoryTotal,
		RackInfo: "/default-rack", MaintenanceState: "OFF",
	}
	if v.PublicHostName == "" {
		v.PublicHostName = h.name
	}
	if !e.alive(h, now) {
		v.HostState, v.HostStatus = ambari.HostHeartbeatLost, "UNKNOWN"
	}
	return v
}

func (e *Emulator) sortedHosts() []*host {
	out := make([]*host, 0, len(e.hosts))
	for _, h := range e.hosts {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
