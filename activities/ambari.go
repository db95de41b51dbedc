package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/poll"
)

// BlueprintInput is what SubmitBlueprint registers and creates: the
// spec's blueprint and host groups, on the given nodes.
type BlueprintInput struct {
	Spec      cluster.Spec   `json:"spec"`
	AmbariURL string         `json:"ambari_url"`
	Nodes     []cluster.Node `json:"nodes"`
	// Early submits while the agents still start: Ambari takes a cluster
	// whose hosts have not registered yet and installs each host as it
	// registers, so only Ambari's API is waited for.
	Early bool `json:"early,omitempty"`
}

// HostsInput names Ambari hosts of a cluster built from a blueprint.
type HostsInput struct {
	Cluster   string         `json:"cluster"`
	Blueprint string         `json:"blueprint"`
	AmbariURL string         `json:"ambari_url"`
	Nodes     []cluster.Node `json:"nodes"`
}

// SubmitBlueprint waits until Ambari runs and every node's agent has
// registered, registers the blueprint and creates the cluster, returning the
// install request id. A retry after partial success continues: an identical
// blueprint and an existing cluster are taken as done.
func (a *Activities) SubmitBlueprint(ctx context.Context, in BlueprintInput) (int64, error) {
	cl := a.ambariClient(in.Spec.Name, in.AmbariURL)
	wait := in.Nodes
	if in.Early {
		wait = nil
	}
	if err := a.waitForHosts(ctx, cl, wait, 0); err != nil {
		return 0, err
	}
	if err := postBlueprint(ctx, cl, in.Spec); err != nil {
		return 0, err
	}
	t := clusterTemplate(in.Spec, in.Nodes)
	t.DefaultPassword = a.Master.For(in.Spec.Name).ServicePassword
	id, err := cl.CreateCluster(ctx, in.Spec.Name, t)
	if ambari.HasStatus(err, http.StatusConflict) {
		return existingRequest(ctx, cl, in.Spec.Name)
	}
	if ambari.HasStatus(err, http.StatusBadRequest) {
		return 0, temporal.NewNonRetryableApplicationError("ambari refused the cluster: "+err.Error(), "ClusterRefused", nil)
	}
	return id, err
}

// waitForHosts waits until Ambari answers and nodes have registered with
// it, for at most limit (0: the activity's deadline).
func (a *Activities) waitForHosts(ctx context.Context, cl *ambari.Client, nodes []cluster.Node, limit time.Duration) error {
	wctx, cancel := deadlineCtx(ctx, limit)
	defer cancel()
	var missing []string
	err := a.waitUntil(wctx, func() (bool, string, error) {
		if err := cl.Check(wctx); err != nil {
			return false, "waiting for ambari: " + err.Error(), nil
		}
		hosts, err := cl.Hosts(wctx)
		if ambari.HasStatus(err, http.StatusForbidden) {
			return false, "", temporal.NewNonRetryableApplicationError("ambari refused herd's credentials: "+err.Error(), "AmbariAuth", nil)
		}
		if err != nil {
			return false, "listing ambari hosts: " + err.Error(), nil
		}
		missing = unregistered(nodes, hosts)
		return len(missing) == 0, fmt.Sprintf("%d/%d hosts registered", len(nodes)-len(missing), len(nodes)), nil
	})
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		msg := fmt.Sprintf("agents did not register with ambari: missing %s", strings.Join(missing, ", "))
		return temporal.NewNonRetryableApplicationError(msg, ErrRegistrationTimeout, nil, missing)
	}
	return err
}

func unregistered(nodes []cluster.Node, hosts []ambari.Host) []string {
	ok := map[string]bool{}
	for _, h := range hosts {
		ok[strings.ToLower(h.HostName)] = h.HostState == ambari.HostHealthy
	}
	var missing []string
	for _, n := range nodes {
		if !ok[n.FQDN] {
			missing = append(missing, n.FQDN)
		}
	}
	sort.Strings(missing)
	return missing
}

func postBlueprint(ctx context.Context, cl *ambari.Client, spec cluster.Spec) error {
	err := cl.PostBlueprint(ctx, spec.BlueprintName, spec.Blueprint)
	if !ambari.HasStatus(err, http.StatusConflict) {
		if ambari.HasStatus(err, http.StatusBadRequest) {
			return temporal.NewNonRetryableApplicationError("ambari refused the blueprint: "+err.Error(), "BlueprintRefused", nil)
		}
		return err
	}
	have, err := cl.GetBlueprint(ctx, spec.BlueprintName)
	if err != nil {
		return fmt.Errorf("compare existing blueprint %s: %w", spec.BlueprintName, err)
	}
	if !sameBlueprint(*have, spec.Blueprint) {
		msg := fmt.Sprintf("ambari already has a different blueprint named %s: delete it or rename yours", spec.BlueprintName)
		return temporal.NewNonRetryableApplicationError(msg, ErrBlueprintConflict, nil)
	}
	return nil
}

// sameBlueprint reports whether the blueprint Ambari holds is the one
// posted: the same stack and host groups, each holding the components
// posted (Ambari adds those it deploys itself).
func sameBlueprint(have, posted ambari.Blueprint) bool {
	if have.Blueprints.StackName != posted.Blueprints.StackName || have.Blueprints.StackVersion != posted.Blueprints.StackVersion ||
		len(have.HostGroups) != len(posted.HostGroups) {
		return false
	}
	for _, hg := range posted.HostGroups {
		got, ok := have.Group(hg.Name)
		if !ok {
			return false
		}
		held := map[string]bool{}
		for _, c := range got.Components {
			held[c.Name] = true
		}
		for _, c := range hg.Components {
			if !held[c.Name] {
				return false
			}
		}
	}
	return true
}

func clusterTemplate(spec cluster.Spec, nodes []cluster.Node) ambari.ClusterTemplate {
	t := ambari.ClusterTemplate{Blueprint: spec.BlueprintName}
	for _, g := range spec.HostGroups {
		tg := ambari.TemplateHostGroup{Name: g.Name}
		for _, n := range nodes {
			if n.HostGroup == g.Name {
				tg.Hosts = append(tg.Hosts, ambari.TemplateHost{FQDN: n.FQDN})
			}
		}
		t.HostGroups = append(t.HostGroups, tg)
	}
	return t
}

// existingRequest finds the provisioning request of a cluster a previous
// try created.
func existingRequest(ctx context.Context, cl *ambari.Client, name string) (int64, error) {
	ids, err := cl.Requests(ctx, name)
	if err != nil {
		return 0, fmt.Errorf("find the request of existing cluster %s: %w", name, err)
	}
	if len(ids) == 0 {
		return 0, fmt.Errorf("cluster %s exists in ambari but has no request", name)
	}
	return ids[0], nil
}

// AddAmbariHosts waits until the nodes' agents have registered, then adds
// them to the cluster in their host groups and returns the install request
// id. A retry skips hosts already added; when all were, it returns the
// cluster's latest request.
func (a *Activities) AddAmbariHosts(ctx context.Context, in HostsInput) (int64, error) {
	cl := a.ambariClient(in.Cluster, in.AmbariURL)
	if err := a.waitForHosts(ctx, cl, in.Nodes, 0); err != nil {
		return 0, err
	}
	have, err := cl.ClusterHosts(ctx, in.Cluster)
	if err != nil {
		return 0, ambariErr(err, "list hosts of %s", in.Cluster)
	}
	added := map[string]bool{}
	for _, h := range have {
		added[strings.ToLower(h)] = true
	}
	var adds []ambari.HostAddition
	for _, n := range in.Nodes {
		if !added[n.FQDN] {
			adds = append(adds, ambari.HostAddition{Blueprint: in.Blueprint, HostGroup: n.HostGroup, HostName: n.FQDN})
		}
	}
	if len(adds) == 0 {
		ids, err := cl.Requests(ctx, in.Cluster)
		if err != nil || len(ids) == 0 {
			return 0, fmt.Errorf("find the request that added the hosts: %w", err)
		}
		return ids[len(ids)-1], nil
	}
	id, err := cl.AddHosts(ctx, in.Cluster, adds)
	if ambari.HasStatus(err, http.StatusBadRequest) {
		return 0, temporal.NewNonRetryableApplicationError("ambari refused the hosts: "+err.Error(), "HostsRefused", nil)
	}
	return id, err
}

// RemoveAmbariHosts stops the hosts' components and deletes the hosts from
// the cluster; hosts already gone are skipped, and a host whose heartbeat
// is lost (its node is dead) is deleted without a stop it could not run.
func (a *Activities) RemoveAmbariHosts(ctx context.Context, in HostsInput) error {
	cl := a.ambariClient(in.Cluster, in.AmbariURL)
	for _, n := range in.Nodes {
		if err := a.stopIfAlive(ctx, cl, in, n.FQDN); err != nil {
			return err
		}
		if err := cl.DeleteHost(ctx, in.Cluster, n.FQDN); err != nil && !ambari.HasStatus(err, http.StatusNotFound) {
			return ambariErr(err, "delete host %s", n.FQDN)
		}
	}
	return nil
}

// decommission moves a leaving host's data and work away first, as
// Cloudbreak did: its started DataNode, NodeManager and RegionServer are
// decommissioned through their masters (once: a retry finds them
// DECOMMISSIONED).
func (a *Activities) decommission(ctx context.Context, cl *ambari.Client, in HostsInput, fqdn string) error {
	roles, err := cl.HostComponents(ctx, in.Cluster, fqdn)
	if ambari.HasStatus(err, http.StatusNotFound) {
		return nil
	}
	if err != nil {
		return ambariErr(err, "read the components of %s", fqdn)
	}
	for _, r := range roles {
		if _, ok := ambari.DecommissionMasters[r.ComponentName]; !ok || r.State != "STARTED" || r.DesiredAdminState == "DECOMMISSIONED" {
			continue
		}
		id, err := cl.Decommission(ctx, in.Cluster, r.ComponentName, []string{fqdn})
		if err != nil {
			return ambariErr(err, "decommission %s on %s", r.ComponentName, fqdn)
		}
		if _, err := a.PollAmbariRequest(ctx, PollInput{Cluster: in.Cluster, AmbariURL: in.AmbariURL, RequestID: id}); err != nil {
			return err
		}
	}
	return nil
}

func (a *Activities) stopIfAlive(ctx context.Context, cl *ambari.Client, in HostsInput, fqdn string) error {
	h, err := cl.Host(ctx, fqdn)
	if ambari.HasStatus(err, http.StatusNotFound) || (err == nil && h.HostState == ambari.HostHeartbeatLost) {
		return nil
	}
	if err := a.decommission(ctx, cl, in, fqdn); err != nil {
		return err
	}
	id, err := cl.StopHostComponents(ctx, in.Cluster, fqdn)
	if ambari.HasStatus(err, http.StatusNotFound) {
		return nil
	}
	if err != nil {
		return ambariErr(err, "stop components on %s", fqdn)
	}
	if id == 0 {
		return nil
	}
	return a.pollUnlessLost(ctx, cl, in.Cluster, fqdn, id)
}

// pollUnlessLost follows the stop of a leaving host's components until it
// ends, or until Ambari loses the host's heartbeat: a host that died
// meanwhile has nothing left to stop, and its tasks would never run (or, on
// a real Ambari, time out).
func (a *Activities) pollUnlessLost(ctx context.Context, cl *ambari.Client, clusterName, fqdn string, id int64) error {
	var out RequestOutcome
	return poll.Until(ctx, a.interval(), func(ctx context.Context) (bool, error) {
		h, err := cl.Host(ctx, fqdn)
		if ambari.HasStatus(err, http.StatusNotFound) || (err == nil && h.HostState == ambari.HostHeartbeatLost) {
			return true, nil
		}
		return requestDone(ctx, cl, clusterName, id, &out)
	})
}

// ServicesInput asks for every service of a cluster to be in State
// (STARTED, or INSTALLED for stopped).
type ServicesInput struct {
	Cluster   string `json:"cluster"`
	AmbariURL string `json:"ambari_url"`
	State     string `json:"state"`
}

// SetServicesState asks Ambari to start or stop every service and returns
// the request id, 0 when nothing had to change. It waits for Ambari to
// answer first (after a start, the server may still be coming up).
func (a *Activities) SetServicesState(ctx context.Context, in ServicesInput) (int64, error) {
	cl := a.ambariClient(in.Cluster, in.AmbariURL)
	wctx, cancel := deadlineCtx(ctx, 0)
	defer cancel()
	if err := a.waitUntil(wctx, func() (bool, string, error) {
		err := cl.Check(wctx)
		if err != nil {
			return false, "waiting for ambari: " + err.Error(), nil
		}
		return true, "ambari is up", nil
	}); err != nil {
		return 0, err
	}
	reqContext := "Start All Services"
	if in.State == "INSTALLED" {
		reqContext = "Stop All Services"
	}
	id, err := cl.SetServicesState(ctx, in.Cluster, in.State, reqContext)
	return id, ambariErr(err, "set services of %s to %s", in.Cluster, in.State)
}

// ambariErr adds context to an Ambari call's error; one that trying again
// cannot help (a 4xx answer, a redirect loop) is not retried.
func ambariErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, args...)
	if !ambari.Retryable(err) {
		return permanent("AmbariRefused", "%s: %v", msg, err)
	}
	return fmt.Errorf("%s: %w", msg, err)
}
