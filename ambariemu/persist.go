package ambariemu

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/herdhq/herd/ambari"
)

// The emulator keeps its state in a file, as Ambari keeps it in its
// database, so a stopped and started server still knows its clusters.

type snapshot struct {
	Hosts      []hostSnap                  `json:"hosts"`
	Blueprints map[string]ambari.Blueprint `json:"blueprints"`
	Clusters   []clusterSnap               `json:"clusters"`
	Requests   []requestSnap               `json:"requests"`
	NextTask   int64                       `json:"next_task"`
	Apps       []appSnap                   `json:"apps,omitempty"`
}

type appSnap struct {
	App
	Submitted time.Time
	Running   []containerSnap
}

type containerSnap struct {
	Host  string
	Start time.Time
}

type hostSnap struct {
	Name, IP, Cluster, Group string
	Profile                  ambari.HardwareProfile
	PublicName               string
}

type taskSnap struct {
	ID                  int64
	Host, Role, Command string
	Stage               int
	Status              string
	Start, End          time.Time
	Stderr              string
	Detail              string `json:",omitempty"`
}

type clusterSnap struct {
	ID              int64
	Name, Blueprint string
	Services        map[string]string
	Hosts           []string
	Created         time.Time
	Decommissioned  map[string]bool
	Configs         []configVersion
	ConfigGroups    []configGroup
	ConfigChanged   map[string]time.Time `json:",omitempty"`
}

type requestSnap struct {
	ID               int64
	Cluster, Context string
	Created, Start   time.Time
	End              time.Time
	Tasks            []taskSnap
	Slots            map[string]int
	SlotPredicates   map[string]string `json:",omitempty"`
	Target           map[string]string
	AbortReason      string
	Aborted          bool
}

// Save writes the state to path atomically.
func (e *Emulator) Save(path string) error {
	e.mu.Lock()
	snap := e.snapshot()
	e.mu.Unlock()
	b, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("encode emulator state: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save emulator state: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("save emulator state: %w", err)
	}
	return os.Rename(tmp, path)
}

// Load reads a state written by Save; a missing file is an empty state.
func (e *Emulator) Load(path string) error {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load emulator state: %w", err)
	}
	var snap snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return fmt.Errorf("load emulator state %s: %w", path, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.restore(snap)
	return nil
}

func (e *Emulator) snapshot() snapshot {
	s := snapshot{Blueprints: e.blueprints, NextTask: e.nextTask}
	for _, a := range e.apps {
		as := appSnap{App: *a, Submitted: a.submitted}
		for _, c := range a.running {
			as.Running = append(as.Running, containerSnap{Host: c.host, Start: c.start})
		}
		s.Apps = append(s.Apps, as)
	}
	for _, h := range e.sortedHosts() {
		s.Hosts = append(s.Hosts, hostSnap{Name: h.name, IP: h.ip, Cluster: h.cluster, Group: h.group, Profile: h.profile, PublicName: h.publicName})
	}
	for _, c := range e.clusters {
		s.Clusters = append(s.Clusters, clusterSnap{ID: c.id, Name: c.name, Blueprint: c.blueprint, Services: c.services, Hosts: c.hosts,
			Created: c.created, Decommissioned: c.decommissioned, Configs: c.configs, ConfigGroups: c.configGroups, ConfigChanged: c.configChanged})
	}
	for _, r := range e.requests {
		rs := requestSnap{ID: r.id, Cluster: r.cluster, Context: r.context, Created: r.created, Start: r.start, End: r.end,
			Slots: map[string]int{}, Target: r.target, AbortReason: r.abortReason, Aborted: r.aborted}
		for _, sl := range r.slots {
			rs.Slots[sl.group] = sl.count
			if sl.predicate != "" {
				if rs.SlotPredicates == nil {
					rs.SlotPredicates = map[string]string{}
				}
				rs.SlotPredicates[sl.group] = sl.predicate
			}
		}
		for _, t := range r.tasks {
			rs.Tasks = append(rs.Tasks, taskSnap{ID: t.id, Host: t.host, Role: t.role, Command: t.command, Stage: t.stage,
				Status: t.status, Start: t.start, End: t.end, Stderr: t.stderr, Detail: t.detail})
		}
		s.Requests = append(s.Requests, rs)
	}
	return s
}

func (e *Emulator) restore(s snapshot) {
	for name, bp := range s.Blueprints {
		e.blueprints[name] = bp
	}
	e.nextTask = s.NextTask
	for _, as := range s.Apps {
		a := as.App
		a.duration, _ = time.ParseDuration(a.Duration)
		a.submitted = as.Submitted
		for _, c := range as.Running {
			a.running = append(a.running, yarnContainer{host: c.Host, start: c.Start})
		}
		e.apps = append(e.apps, &a)
		e.nextApp = max(e.nextApp, a.ID)
	}
	for _, h := range s.Hosts {
		e.hosts[h.Name] = &host{name: h.Name, ip: h.IP, cluster: h.Cluster, group: h.Group, profile: h.Profile, publicName: h.PublicName}
	}
	for _, c := range s.Clusters {
		if c.Decommissioned == nil {
			c.Decommissioned = map[string]bool{}
		}
		e.clusters[c.Name] = &cluster{id: c.ID, name: c.Name, blueprint: c.Blueprint, services: c.Services, hosts: c.Hosts, created: c.Created,
			decommissioned: c.Decommissioned, configs: c.Configs, configGroups: c.ConfigGroups, configChanged: c.ConfigChanged}
	}
	for _, rs := range s.Requests {
		r := &request{id: rs.ID, cluster: rs.Cluster, context: rs.Context, created: rs.Created, start: rs.Start, end: rs.End,
			target: rs.Target, abortReason: rs.AbortReason, aborted: rs.Aborted}
		for _, group := range slices.Sorted(maps.Keys(rs.Slots)) {
			r.slots = append(r.slots, slot{group: group, count: rs.Slots[group], predicate: rs.SlotPredicates[group]})
		}
		for _, t := range rs.Tasks {
			r.tasks = append(r.tasks, &task{id: t.ID, host: t.Host, role: t.Role, command: t.Command, stage: t.Stage,
				status: t.Status, start: t.Start, end: t.End, stderr: t.Stderr, detail: t.Detail})
		}
		e.requests = append(e.requests, r)
	}
}

// saveEvery is how often at most the emulator writes its state after its
// own progress (tasks moving, hosts registering). The whole state is
// written each time, so saving at every 50 ms step cost a 100-node
// cluster's server most of its CPU. A write through the API is saved at
// once; a server killed within saveEvery of its last progress comes back
// that far behind: tasks move on again and an agent the state lost is
// asked to register again at its next heartbeat.
const saveEvery = 500 * time.Millisecond

// saver writes the emulator's state when it changed: at once after an API
// write, else at most every `every`, a timer standing for a save held back.
type saver struct {
	path  string
	every time.Duration
	saved uint64
	last  time.Time
	timer *time.Timer
}

// due fires when a held-back save may be written.
func (s *saver) due() <-chan time.Time {
	if s.timer == nil {
		return nil
	}
	return s.timer.C
}

// fired records that the timer of due fired.
func (s *saver) fired() { s.timer = nil }

// after saves the state if it changed and may be saved now, or holds the
// save back until it may.
func (s *saver) after(e *Emulator) {
	if s.path == "" {
		return
	}
	current, written := e.versions()
	if current == s.saved {
		return
	}
	if wait := s.every - time.Since(s.last); written <= s.saved && wait > 0 {
		if s.timer == nil {
			s.timer = time.NewTimer(wait)
		}
		return
	}
	s.write(e, current)
}

// flush writes what changed since the last save.
func (s *saver) flush(e *Emulator) {
	if current, _ := e.versions(); s.path != "" && current != s.saved {
		s.write(e, current)
	}
}

func (s *saver) write(e *Emulator, current uint64) {
	s.stop()
	if err := e.Save(s.path); err != nil {
		e.cfg.Logger.Warn("save emulator state", "err", err)
		return
	}
	s.saved, s.last = current, time.Now()
}

func (s *saver) stop() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
}
