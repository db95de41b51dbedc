package ambariemu

import (
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/herdhq/herd/ambari"
)

// The emulator's YARN: every started, in-service NODEMANAGER of an alive
// host offers Config.NodeManagerMB of memory; synthetic applications
// (POST /emulator/v1/clusters/C/apps) ask for containers of a size that
// run for a while. Containers wait when there is no room, start when there
// is, and start again elsewhere when their node goes. The resource
// manager's queue metrics (Ambari's metrics/yarn/Queue/root) are computed
// from it, so scaling has real, measurable consequences.

// App is a synthetic YARN application.
type App struct {
	ID         int64  `json:"id"`
	Cluster    string `json:"cluster"`
	Containers int    `json:"containers"`
	MemoryMB   int64  `json:"memory_mb"`
	Duration   string `json:"duration"`
	State      string `json:"state"` // ACCEPTED, RUNNING, FINISHED
	Running    int    `json:"running"`
	Pending    int    `json:"pending"`
	Finished   int    `json:"finished"`

	duration  time.Duration
	submitted time.Time
	running   []yarnContainer
}

type yarnContainer struct {
	host  string
	start time.Time
}

// nodeManagers maps the cluster's usable NodeManager hosts to their
// capacity in MB.
func (e *Emulator) nodeManagers(c *cluster, now time.Time) map[string]int64 {
	states := e.componentStates(c)
	out := map[string]int64{}
	for _, hc := range e.hostComponents(c) {
		h := e.hosts[hc.host]
		if hc.component == "NODEMANAGER" && h != nil && e.alive(h, now) && states[hc.host+"/NODEMANAGER"] == "STARTED" &&
			!c.decommissioned[hc.host+"/NODEMANAGER"] {
			out[hc.host] = e.cfg.NodeManagerMB
		}
	}
	return out
}

// schedule finishes what has run its time, puts back containers whose node
// is gone, then places waiting containers first come, first served, each
// on the node with the most room.
func (e *Emulator) schedule(c *cluster, now time.Time) {
	if !e.hasWork(c) {
		return // nothing to place: spare every tick the cluster's scan
	}
	nms := e.nodeManagers(c, now)
	free := map[string]int64{}
	for h, mb := range nms {
		free[h] = mb
	}
	for _, a := range e.apps {
		if a.Cluster != c.name {
			continue
		}
		kept := a.running[:0]
		for _, ct := range a.running {
			switch {
			case now.Sub(ct.start) >= a.duration:
				a.Finished++
			case nms[ct.host] == 0:
				a.Pending++ // its node is gone: it starts again elsewhere
			default:
				free[ct.host] -= a.MemoryMB
				kept = append(kept, ct)
			}
		}
		a.running = kept
	}
	hosts := slices.Sorted(maps.Keys(nms))
	for _, a := range e.apps {
		if a.Cluster != c.name {
			continue
		}
		for a.Pending > 0 {
			h := roomiest(hosts, free, a.MemoryMB)
			if h == "" {
				break
			}
			free[h] -= a.MemoryMB
			a.running = append(a.running, yarnContainer{host: h, start: now})
			a.Pending--
		}
		a.Running = len(a.running)
		a.State = appState(a)
	}
}

// hasWork reports whether the cluster has an application not finished.
func (e *Emulator) hasWork(c *cluster) bool {
	for _, a := range e.apps {
		if a.Cluster == c.name && a.State != "FINISHED" {
			return true
		}
	}
	return false
}

func roomiest(hosts []string, free map[string]int64, need int64) string {
	best := ""
	for _, h := range hosts {
		if free[h] >= need && (best == "" || free[h] > free[best]) {
			best = h
		}
	}
	return best
}

func appState(a *App) string {
	switch {
	case a.Finished == a.Containers:
		return "FINISHED"
	case a.Running > 0 || a.Finished > 0:
		return "RUNNING"
	}
	return "ACCEPTED"
}

// queueMetrics sums the cluster's applications and capacity.
func (e *Emulator) queueMetrics(c *cluster, now time.Time) ambari.QueueMetrics {
	var m ambari.QueueMetrics
	for _, mb := range e.nodeManagers(c, now) {
		m.AvailableMB += mb
	}
	for _, a := range e.apps {
		if a.Cluster != c.name {
			continue
		}
		m.AppsSubmitted++
		switch a.State {
		case "FINISHED":
			m.AppsCompleted++
		case "RUNNING":
			m.AppsRunning++
		default:
			m.AppsPending++
		}
		m.PendingContainers += int64(a.Pending)
		m.AllocatedContainers += int64(len(a.running))
		m.AllocatedMB += int64(len(a.running)) * a.MemoryMB
	}
	m.AvailableMB -= m.AllocatedMB
	return m
}

func (e *Emulator) routeYarn(mux *http.ServeMux) {
	mux.HandleFunc("POST /emulator/v1/clusters/{c}/apps", e.withCluster(e.submitApp))
	mux.HandleFunc("GET /emulator/v1/clusters/{c}/apps", e.withCluster(e.listApps))
}

// submitApp takes {"containers": 40, "memory_mb": 1024, "duration": "2m"}.
func (e *Emulator) submitApp(w http.ResponseWriter, r *http.Request, c *cluster) {
	var a App
	if !decode(w, r, &a) {
		return
	}
	d, err := time.ParseDuration(a.Duration)
	if err != nil || d <= 0 || a.Containers <= 0 || a.MemoryMB <= 0 {
		writeError(w, http.StatusBadRequest, `an application needs "containers" > 0, "memory_mb" > 0 and a "duration" such as 2m`)
		return
	}
	if a.MemoryMB > e.cfg.NodeManagerMB {
		writeError(w, http.StatusBadRequest, "a container of "+strconv.FormatInt(a.MemoryMB, 10)+" MB does not fit a node manager of "+strconv.FormatInt(e.cfg.NodeManagerMB, 10)+" MB")
		return
	}
	e.nextApp++
	app := &App{ID: e.nextApp, Cluster: c.name, Containers: a.Containers, MemoryMB: a.MemoryMB, Duration: a.Duration,
		duration: d, submitted: e.cfg.Now(), Pending: a.Containers, State: "ACCEPTED"}
	e.apps = append(e.apps, app)
	writeJSON(w, http.StatusCreated, app)
}

func (e *Emulator) listApps(w http.ResponseWriter, _ *http.Request, c *cluster) {
	out := []*App{}
	for _, a := range e.apps {
		if a.Cluster == c.name {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

// rmMetrics is the resource manager's metrics in Ambari's shape.
func (e *Emulator) rmMetrics(c *cluster) map[string]any {
	return map[string]any{"yarn": map[string]any{"Queue": map[string]any{"root": e.queueMetrics(c, e.cfg.Now())}}}
}
