package ambariemu

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/herdhq/herd/ambari"
)

func (e *Emulator) routeHosts(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/hosts", e.listHosts)
	mux.HandleFunc("GET /api/v1/hosts/{host}", e.getHost)
}

func (e *Emulator) listHosts(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	list := e.hostList("/api/v1/hosts", func(h *host) bool { return !h.lastBeat.IsZero() })
	respond(w, r, http.StatusOK, view{body: list, keys: []string{"Hosts/host_name"}, collection: true})
}

func (e *Emulator) hostList(href string, keep func(*host) bool) ambari.HostList {
	now := e.cfg.Now()
	list := ambari.HostList{Href: href, Items: []ambari.HostItem{}}
	for _, h := range e.sortedHosts() {
		if keep(h) {
			list.Items = append(list.Items, ambari.HostItem{Href: href + "/" + h.name, Hosts: e.hostView(h, now)})
		}
	}
	return list
}

func (e *Emulator) getHost(w http.ResponseWriter, r *http.Request) {
	name := strings.ToLower(r.PathValue("host"))
	e.mu.Lock()
	defer e.mu.Unlock()
	h, ok := e.hosts[name]
	if !ok || h.lastBeat.IsZero() {
		notFound(w, "Host", "Host_name="+name)
		return
	}
	it := ambari.HostItem{Href: "/api/v1/hosts/" + name, Hosts: e.hostView(h, e.cfg.Now())}
	respond(w, r, http.StatusOK, view{body: it, keys: []string{"Hosts/host_name"}, defaults: []string{"Hosts/*"}})
}

// AgentHandler serves the agent protocol (Ambari's /agent/v1/register and
// /agent/v1/heartbeat, on its own port): how hosts come to exist.
func (e *Emulator) AgentHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+ambari.AgentRegisterPath+"{host}", e.register)
	mux.HandleFunc("POST "+ambari.AgentHeartbeatPath+"{host}", e.heartbeat)
	return mux
}

func (e *Emulator) register(w http.ResponseWriter, r *http.Request) {
	var reg ambari.Registration
	if !decode(w, r, &reg) {
		return
	}
	name := strings.ToLower(r.PathValue("host"))
	ip := reg.HardwareProfile.IPAddress
	if ip == "" {
		ip, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	h, ok := e.hosts[name]
	if !ok {
		h = &host{name: name}
		e.hosts[name] = h
		e.cfg.Logger.Info("host registered", "host", name, "ip", ip)
	}
	h.ip, h.lastBeat, h.responseSeq = ip, e.cfg.Now(), 0
	h.registered, h.profile, h.publicName = h.lastBeat, reg.HardwareProfile, reg.PublicHostname
	e.version++
	e.kick() // Run saves it
	writeJSON(w, http.StatusOK, map[string]any{"responseStatus": "OK", "exitstatus": 0, "responseId": 0})
}

func (e *Emulator) heartbeat(w http.ResponseWriter, r *http.Request) {
	name := strings.ToLower(r.PathValue("host"))
	e.mu.Lock()
	defer e.mu.Unlock()
	h, ok := e.hosts[name]
	if !ok || h.lastBeat.IsZero() {
		writeJSON(w, http.StatusOK, ambari.HeartbeatReply{ResponseID: -1, RegistrationCommand: &ambari.RegistrationCommand{CommandType: "REGISTER"}})
		return
	}
	h.lastBeat = e.cfg.Now()
	h.responseSeq++
	var beat ambari.Registration
	if json.NewDecoder(r.Body).Decode(&beat) == nil && len(beat.Alerts) > 0 {
		h.alerts = map[string]ambari.AgentAlert{}
		for _, a := range beat.Alerts {
			h.alerts[a.Name] = a
		}
	}
	writeJSON(w, http.StatusOK, ambari.HeartbeatReply{ResponseID: h.responseSeq})
}
