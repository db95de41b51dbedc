package ambariemu

import (
	"fmt"
	"time"

	"github.com/herdhq/herd/ambari"
)

// Task stages: every INSTALL finishes before any START begins, as in Ambari.
const (
	stageInstall = iota
	stageStart
)

type request struct {
	id          int64
	cluster     string
	context     string
	created     time.Time
	start, end  time.Time
	tasks       []*task
	slots       []slot            // host_count groups still waiting for hosts
	target      map[string]string // service states to set on completion
	abortReason string
	aborted     bool
}

// slot is a host group mapped by host_count that still needs hosts.
type slot struct {
	group     string
	count     int
	predicate string // Ambari's host_predicate: which hosts may fill it
}

type task struct {
	id         int64
	host, role string
	command    string
	stage      int
	status     string
	start, end time.Time
	stderr     string
	detail     string // Ambari's command_detail, when not "ROLE COMMAND"
}

func (e *Emulator) newRequest(cluster, context string) *request {
	r := &request{id: int64(len(e.requests) + 1), cluster: cluster, context: context, created: e.cfg.Now()}
	e.requests = append(e.requests, r)
	return r
}

func (e *Emulator) addTask(r *request, hostName, role, command string, stage int) {
	e.nextTask++
	r.tasks = append(r.tasks, &task{id: e.nextTask, host: hostName, role: role, command: command, stage: stage, status: ambari.StatusPending})
}

// addInstallTasks adds INSTALL and START tasks for every component of group on hostName.
func (e *Emulator) addInstallTasks(r *request, bp ambari.Blueprint, group, hostName string) {
	hg, _ := bp.Group(group)
	for _, c := range hg.Components {
		e.addTask(r, hostName, c.Name, "INSTALL", stageInstall)
	}
	st, _ := bp.Stack()
	for _, c := range hg.Components {
		if !st.Components[c.Name].IsClient() {
			e.addTask(r, hostName, c.Name, "START", stageStart)
		}
	}
}

// Step advances every unfinished request by one state per task.
func (e *Emulator) Step() {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.cfg.Now()
	for _, r := range e.requests {
		if ambari.IsFinal(e.status(r)) {
			continue
		}
		filled := e.fillSlots(r)
		moved := e.advance(r, now)
		if e.finish(r, now) || filled || moved {
			e.version++
		}
	}
	for _, c := range e.clusters {
		e.schedule(c, now)
	}
}

// fillSlots assigns free registered hosts to host_count groups and
// reports whether it assigned any.
func (e *Emulator) fillSlots(r *request) (filled bool) {
	c := e.clusters[r.cluster]
	if c == nil {
		return false
	}
	now := e.cfg.Now()
	for i := range r.slots {
		for _, h := range e.sortedHosts() {
			if r.slots[i].count == 0 {
				break
			}
			if h.cluster != "" || !e.alive(h, now) || !r.slots[i].admits(e.hostView(h, now)) {
				continue
			}
			e.joinCluster(c, h, r.slots[i].group)
			e.addInstallTasks(r, e.blueprints[c.blueprint], r.slots[i].group, h.name)
			r.slots[i].count--
			filled = true
		}
	}
	return filled
}

// admits reports whether a host may fill the slot: its predicate (checked
// when the template was posted) holds for the host.
func (s slot) admits(h ambari.Host) bool {
	p, _ := parsePredicate(s.predicate)
	return p.matches(toTree(ambari.HostItem{Hosts: h}))
}

func (e *Emulator) joinCluster(c *cluster, h *host, group string) {
	h.cluster, h.group = c.name, group
	c.hosts = append(c.hosts, h.name)
}

// advance moves each task on one state where it may, and reports whether
// any moved.
func (e *Emulator) advance(r *request, now time.Time) (moved bool) {
	minStage := r.lowestOpenStage()
	for _, t := range r.tasks {
		switch {
		case t.status == ambari.StatusPending && t.stage == minStage && e.hostReady(t.host, now):
			t.status = ambari.StatusQueued
		case t.status == ambari.StatusQueued:
			t.status, t.start = ambari.StatusInProgress, now
			if r.start.IsZero() {
				r.start = now
			}
		case t.status == ambari.StatusInProgress && now.Sub(t.start) >= e.cfg.TaskDuration:
			t.status, t.end = ambari.StatusCompleted, now
			if contains(e.cfg.FailHosts, t.host) || contains(e.cfg.FailComponents, t.role) {
				t.status = ambari.StatusFailed
				t.stderr = fmt.Sprintf("emulated failure of %s %s on %s", t.command, t.role, t.host)
			}
		default:
			continue
		}
		moved = true
	}
	return moved
}

// lowestOpenStage is the first stage with a task not yet completed.
func (r *request) lowestOpenStage() int {
	min := stageStart + 1
	for _, t := range r.tasks {
		if t.status != ambari.StatusCompleted && t.stage < min {
			min = t.stage
		}
	}
	return min
}

func (e *Emulator) hostReady(name string, now time.Time) bool {
	h := e.hosts[name]
	return h != nil && e.alive(h, now)
}

// finish aborts what is left once a task failed and records the end time;
// it reports whether it changed the request.
func (e *Emulator) finish(r *request, now time.Time) (changed bool) {
	if r.failed() {
		for _, t := range r.tasks {
			if !ambari.IsFinal(t.status) {
				t.status, t.end, changed = ambari.StatusAborted, now, true
			}
		}
	}
	st := e.status(r)
	if !ambari.IsFinal(st) || !r.end.IsZero() {
		return changed
	}
	r.end = now
	if st == ambari.StatusCompleted {
		if c := e.clusters[r.cluster]; c != nil {
			for svc, state := range r.target {
				c.services[svc] = state
			}
		}
	}
	return true
}

func (r *request) failed() bool {
	for _, t := range r.tasks {
		if t.status == ambari.StatusFailed || t.status == ambari.StatusTimedOut {
			return true
		}
	}
	return false
}

// status derives the request status from its tasks, as Ambari does.
func (e *Emulator) status(r *request) string { return statusOf(r) }

func statusOf(r *request) string {
	if r.aborted {
		return ambari.StatusAborted
	}
	n := r.counts()
	switch {
	case n[ambari.StatusFailed] > 0:
		return ambari.StatusFailed
	case n[ambari.StatusTimedOut] > 0:
		return ambari.StatusTimedOut
	case n[ambari.StatusCompleted] == len(r.tasks) && r.waitingSlots() == 0:
		return ambari.StatusCompleted
	case n[ambari.StatusInProgress] > 0 || n[ambari.StatusCompleted] > 0:
		return ambari.StatusInProgress
	case n[ambari.StatusQueued] > 0:
		return ambari.StatusQueued
	}
	return ambari.StatusPending
}

func (r *request) waitingSlots() int {
	n := 0
	for _, s := range r.slots {
		n += s.count
	}
	return n
}

func (r *request) counts() map[string]int {
	n := map[string]int{}
	for _, t := range r.tasks {
		n[t.status]++
	}
	return n
}

// progress is Ambari's (0.09*QUEUED + 0.35*IN_PROGRESS + finished)/total*100.
func (r *request) progress() float64 {
	if len(r.tasks) == 0 {
		if r.waitingSlots() == 0 {
			return 100
		}
		return 0
	}
	n := r.counts()
	done := len(r.tasks) - n[ambari.StatusPending] - n[ambari.StatusQueued] - n[ambari.StatusInProgress]
	p := 0.09*float64(n[ambari.StatusQueued]) + 0.35*float64(n[ambari.StatusInProgress]) + float64(done)
	return p / float64(len(r.tasks)) * 100
}

func (e *Emulator) requestView(r *request) ambari.Request {
	n := r.counts()
	v := ambari.Request{
		Href: fmt.Sprintf("/api/v1/clusters/%s/requests/%d", r.cluster, r.id),
		Requests: ambari.RequestInfo{
			ID: r.id, ClusterName: r.cluster, RequestStatus: e.status(r),
			ProgressPercent: r.progress(), RequestContext: r.context,
			CreateTime: r.created.UnixMilli(), StartTime: millisOrMinus1(r.start), EndTime: millisOrMinus1(r.end),
			TaskCount: len(r.tasks), CompletedTaskCount: len(r.tasks) - n[ambari.StatusPending] - n[ambari.StatusQueued] - n[ambari.StatusInProgress],
			FailedTaskCount: n[ambari.StatusFailed], AbortedTaskCount: n[ambari.StatusAborted],
			TimedOutTaskCount: n[ambari.StatusTimedOut], QueuedTaskCount: n[ambari.StatusQueued],
			AbortReason: r.abortReason,
		},
		Tasks: []ambari.TaskItem{}, Stages: []ambari.StageItem{},
	}
	for _, t := range r.tasks {
		v.Tasks = append(v.Tasks, ambari.TaskItem{
			Href: fmt.Sprintf("%s/tasks/%d", v.Href, t.id),
			Tasks: ambari.Task{ID: t.id, RequestID: r.id, StageID: int64(t.stage), ClusterName: r.cluster,
				CommandDetail: t.commandDetail(), HostName: t.host, Role: t.role, Command: t.command,
				Status: t.status, Stderr: t.stderr, StartTime: millisOrMinus1(t.start), EndTime: millisOrMinus1(t.end)},
		})
	}
	for _, st := range r.stages() {
		st.ClusterName, st.RequestID = r.cluster, r.id
		v.Stages = append(v.Stages, ambari.StageItem{Href: fmt.Sprintf("%s/stages/%d", v.Href, st.StageID), Stage: st})
	}
	return v
}

// stages groups a request's tasks by stage, each with its status and
// progress worked out as the request's are.
func (r *request) stages() []ambari.Stage {
	var out []ambari.Stage
	for _, id := range []int{stageInstall, stageStart} {
		sub := &request{context: r.context, aborted: r.aborted}
		for _, t := range r.tasks {
			if t.stage == id {
				sub.tasks = append(sub.tasks, t)
			}
		}
		if len(sub.tasks) == 0 {
			continue
		}
		st := ambari.Stage{StageID: int64(id), Context: stageNames[id], Status: statusOf(sub), ProgressPercent: sub.progress(),
			StartTime: -1, EndTime: -1}
		for _, t := range sub.tasks {
			if ms := millisOrMinus1(t.start); ms >= 0 && (st.StartTime < 0 || ms < st.StartTime) {
				st.StartTime = ms
			}
			if ms := millisOrMinus1(t.end); ms > st.EndTime {
				st.EndTime = ms
			}
		}
		out = append(out, st)
	}
	return out
}

var stageNames = map[int]string{stageInstall: "Install components", stageStart: "Start components"}

func (t *task) commandDetail() string {
	if t.detail != "" {
		return t.detail
	}
	return t.role + " " + t.command
}

func millisOrMinus1(t time.Time) int64 {
	if t.IsZero() {
		return -1
	}
	return t.UnixMilli()
}
