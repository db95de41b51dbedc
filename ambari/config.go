package ambari

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// ErrNoSuchConfig is DesiredConfig's error for a type the cluster has no
// version of yet.
var ErrNoSuchConfig = errors.New("no such configuration type")

// Config is one version of a configuration type, as Ambari keeps it.
type Config struct {
	Type       string            `json:"type"`
	Tag        string            `json:"tag"`
	Version    int64             `json:"version"`
	Properties map[string]string `json:"properties"`
}

// DesiredConfig reads the cluster's current version of a configuration
// type: its tag from Clusters/desired_configs, then its properties.
func (c *Client) DesiredConfig(ctx context.Context, cluster, typ string) (Config, error) {
	var cl struct {
		Clusters struct {
			DesiredConfigs map[string]struct {
				Tag string `json:"tag"`
			} `json:"desired_configs"`
		} `json:"Clusters"`
	}
	base := "/api/v1/clusters/" + url.PathEscape(cluster)
	if err := c.do(ctx, http.MethodGet, base+"?fields=Clusters/desired_configs", nil, &cl); err != nil {
		return Config{}, err
	}
	d, ok := cl.Clusters.DesiredConfigs[typ]
	if !ok {
		return Config{}, fmt.Errorf("%w: cluster %s has no configuration of type %s (it has: %s)", ErrNoSuchConfig, cluster, typ, strings.Join(slices.Sorted(maps.Keys(cl.Clusters.DesiredConfigs)), ", "))
	}
	var list struct {
		Items []Config `json:"items"`
	}
	q := url.Values{"type": {typ}, "tag": {d.Tag}}
	if err := c.do(ctx, http.MethodGet, base+"/configurations?"+q.Encode(), nil, &list); err != nil {
		return Config{}, err
	}
	if len(list.Items) == 0 {
		return Config{}, fmt.Errorf("configuration %s of cluster %s has no version tagged %s", typ, cluster, d.Tag)
	}
	return list.Items[0], nil
}

// PutDesiredConfig makes cfg (its type, a new tag, the whole property set)
// the cluster's desired configuration: a new version, with a note.
func (c *Client) PutDesiredConfig(ctx context.Context, cluster string, cfg Config, note string) error {
	body := map[string]any{"Clusters": map[string]any{"desired_config": map[string]any{
		"type": cfg.Type, "tag": cfg.Tag, "properties": cfg.Properties, "service_config_version_note": note}}}
	return c.do(ctx, http.MethodPut, "/api/v1/clusters/"+url.PathEscape(cluster), body, nil)
}

// StaleComponents lists the cluster's host components whose configuration
// changed since they last started (stale_configs), those of service only
// when it is given.
func (c *Client) StaleComponents(ctx context.Context, cluster, service string) ([]HostRoles, error) {
	q := "HostRoles/stale_configs=true&fields=HostRoles/*"
	if service != "" {
		q = "HostRoles/service_name=" + url.QueryEscape(service) + "&" + q
	}
	return c.hostRoles(ctx, "/api/v1/clusters/"+url.PathEscape(cluster)+"/host_components?"+q)
}

// ServiceComponents lists the host components of a service.
func (c *Client) ServiceComponents(ctx context.Context, cluster, service string) ([]HostRoles, error) {
	return c.hostRoles(ctx, "/api/v1/clusters/"+url.PathEscape(cluster)+"/host_components?HostRoles/service_name="+url.QueryEscape(service)+"&fields=HostRoles/*")
}

func (c *Client) hostRoles(ctx context.Context, path string) ([]HostRoles, error) {
	var list struct {
		Items []struct {
			HostRoles HostRoles `json:"HostRoles"`
		} `json:"items"`
	}
	if err := c.do(ctx, http.MethodGet, path, nil, &list); err != nil {
		return nil, err
	}
	out := make([]HostRoles, len(list.Items))
	for i, it := range list.Items {
		out[i] = it.HostRoles
	}
	return out, nil
}

// Restart asks Ambari to restart host components (a RESTART request, one
// resource filter per component with its hosts), as Ambari's UI does for
// "Restart Required"; it returns the request id, 0 when there is nothing
// to restart.
func (c *Client) Restart(ctx context.Context, cluster, context string, comps []HostRoles) (int64, error) {
	hosts := map[[2]string][]string{}
	var order [][2]string
	for _, hc := range comps {
		k := [2]string{hc.ServiceName, hc.ComponentName}
		if _, ok := hosts[k]; !ok {
			order = append(order, k)
		}
		hosts[k] = append(hosts[k], hc.HostName)
	}
	if len(order) == 0 {
		return 0, nil
	}
	body := CommandRequest{RequestInfo: CommandInfo{Context: context, Command: "RESTART"}}
	for _, k := range order {
		body.Filters = append(body.Filters, ResourceFilter{ServiceName: k[0], ComponentName: k[1], Hosts: strings.Join(hosts[k], ",")})
	}
	var acc Accepted
	if err := c.do(ctx, http.MethodPost, "/api/v1/clusters/"+url.PathEscape(cluster)+"/requests", body, &acc); err != nil {
		return 0, err
	}
	return acc.Requests.ID, nil
}

// SetServiceState starts (STARTED) or stops (INSTALLED) one service. It
// returns the request id, or 0 when the service already was so.
func (c *Client) SetServiceState(ctx context.Context, cluster, service, state, context string) (int64, error) {
	body := map[string]any{
		"RequestInfo": map[string]string{"context": context},
		"Body":        map[string]any{"ServiceInfo": map[string]string{"state": state}},
	}
	var acc Accepted
	path := "/api/v1/clusters/" + url.PathEscape(cluster) + "/services/" + url.PathEscape(service)
	if err := c.do(ctx, http.MethodPut, path, body, &acc); err != nil {
		return 0, err
	}
	return acc.Requests.ID, nil
}

// RequestWithContext finds the latest request of the cluster made with this
// context (0 when there is none): a retried caller finds the request its
// first try made instead of making another.
func (c *Client) RequestWithContext(ctx context.Context, cluster, context string) (int64, error) {
	var list struct {
		Items []Request `json:"items"`
	}
	q := url.Values{"Requests/request_context": {context}, "fields": {"Requests/id"}}
	if err := c.do(ctx, http.MethodGet, "/api/v1/clusters/"+url.PathEscape(cluster)+"/requests?"+q.Encode(), nil, &list); err != nil {
		return 0, err
	}
	var id int64
	for _, r := range list.Items {
		id = max(id, r.Requests.ID)
	}
	return id, nil
}
