package ambari

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// APIError is an error answer of the Ambari API: {"status": N, "message": "..."}.
type APIError struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

func (e *APIError) Error() string { return fmt.Sprintf("ambari: %d %s", e.Status, e.Message) }

// HasStatus reports whether err is an APIError with the given HTTP status.
func HasStatus(err error, status int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == status
}

// Client talks to one Ambari server. It works unchanged against a real
// Ambari and against herd's emulator.
type Client struct {
	BaseURL  string // e.g. http://node-1.herd.local:8080
	User     string
	Password string
	HTTP     *http.Client
}

// NewClient returns a client for baseURL with basic-auth credentials.
func NewClient(baseURL, user, password string) *Client {
	return &Client{
		BaseURL: strings.TrimRight(baseURL, "/"), User: user, Password: password,
		HTTP: &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return ErrRedirectLoop
			}
			return nil
		}},
	}
}

// Check returns nil when GET /api/v1/check answers RUNNING.
func (c *Client) Check(ctx context.Context) error {
	var body []byte
	if err := c.do(ctx, http.MethodGet, "/api/v1/check", nil, &body); err != nil {
		return err
	}
	if s := strings.TrimSpace(string(body)); s != "RUNNING" {
		return fmt.Errorf("ambari check answered %q, not RUNNING", s)
	}
	return nil
}

// Hosts lists the registered hosts.
func (c *Client) Hosts(ctx context.Context) ([]Host, error) {
	var list HostList
	if err := c.do(ctx, http.MethodGet, "/api/v1/hosts?fields=Hosts/*", nil, &list); err != nil {
		return nil, err
	}
	hosts := make([]Host, len(list.Items))
	for i, it := range list.Items {
		hosts[i] = it.Hosts
	}
	return hosts, nil
}

// Host reads one registered host.
func (c *Client) Host(ctx context.Context, fqdn string) (Host, error) {
	var it HostItem
	err := c.do(ctx, http.MethodGet, "/api/v1/hosts/"+url.PathEscape(fqdn), nil, &it)
	return it.Hosts, err
}

// Cluster is GET /clusters/{name}: the cluster and its stack version.
func (c *Client) Cluster(ctx context.Context, name string) (ClusterInfo, error) {
	var out ClusterInfo
	err := c.do(ctx, http.MethodGet, "/api/v1/clusters/"+name, nil, &out)
	return out, err
}

// PostBlueprint registers bp under name.
func (c *Client) PostBlueprint(ctx context.Context, name string, bp Blueprint) error {
	return c.do(ctx, http.MethodPost, "/api/v1/blueprints/"+url.PathEscape(name), bp, nil)
}

// GetBlueprint fetches the blueprint called name.
func (c *Client) GetBlueprint(ctx context.Context, name string) (*Blueprint, error) {
	var bp Blueprint
	if err := c.do(ctx, http.MethodGet, "/api/v1/blueprints/"+url.PathEscape(name), nil, &bp); err != nil {
		return nil, err
	}
	return &bp, nil
}

// DeleteBlueprint removes the blueprint called name.
func (c *Client) DeleteBlueprint(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/blueprints/"+url.PathEscape(name), nil, nil)
}

// CreateCluster creates a cluster from a template and returns the request id.
func (c *Client) CreateCluster(ctx context.Context, name string, t ClusterTemplate) (int64, error) {
	var acc Accepted
	if err := c.do(ctx, http.MethodPost, "/api/v1/clusters/"+url.PathEscape(name), t, &acc); err != nil {
		return 0, err
	}
	return acc.Requests.ID, nil
}

// Requests lists the ids of a cluster's requests, oldest first.
func (c *Client) Requests(ctx context.Context, cluster string) ([]int64, error) {
	var list struct {
		Items []Request `json:"items"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/clusters/"+url.PathEscape(cluster)+"/requests", nil, &list); err != nil {
		return nil, err
	}
	ids := make([]int64, len(list.Items))
	for i, r := range list.Items {
		ids[i] = r.Requests.ID
	}
	return ids, nil
}

// Request fetches a request with its tasks.
func (c *Client) Request(ctx context.Context, cluster string, id int64) (*Request, error) {
	var r Request
	path := fmt.Sprintf("/api/v1/clusters/%s/requests/%d?fields=Requests/*,tasks/Tasks/*", url.PathEscape(cluster), id)
	if err := c.do(ctx, http.MethodGet, path, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// AddHost adds a registered host to a cluster in a blueprint host group and
// returns the install request id.
func (c *Client) AddHost(ctx context.Context, cluster, fqdn, blueprint, group string) (int64, error) {
	var acc Accepted
	path := "/api/v1/clusters/" + url.PathEscape(cluster) + "/hosts/" + url.PathEscape(fqdn)
	body := HostAddition{Blueprint: blueprint, HostGroup: group}
	if err := c.do(ctx, http.MethodPost, path, body, &acc); err != nil {
		return 0, err
	}
	return acc.Requests.ID, nil
}

// SetServicesState starts (STARTED) or stops (INSTALLED) every service. It
// returns the request id, or 0 when nothing had to change.
func (c *Client) SetServicesState(ctx context.Context, cluster, state, context string) (int64, error) {
	body := map[string]any{
		"RequestInfo": map[string]string{"context": context},
		"Body":        map[string]any{"ServiceInfo": map[string]string{"state": state}},
	}
	var acc Accepted
	if err := c.do(ctx, http.MethodPut, "/api/v1/clusters/"+url.PathEscape(cluster)+"/services", body, &acc); err != nil {
		return 0, err
	}
	return acc.Requests.ID, nil
}

// do sends one call. out may be nil, a *[]byte for the raw body, or a value
// to decode JSON into; an empty body leaves out untouched.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.SetBasicAuth(c.User, c.Password)
	req.Header.Set("X-Requested-By", "herd")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return decodeError(resp.StatusCode, raw)
	}
	return decodeBody(raw, out, method, path)
}

func decodeError(status int, raw []byte) error {
	ae := &APIError{}
	if json.Unmarshal(raw, ae) != nil || ae.Status == 0 {
		ae = &APIError{Status: status, Message: strings.TrimSpace(string(raw))}
	}
	return ae
}

func decodeBody(raw []byte, out any, method, path string) error {
	switch o := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*o = raw
		return nil
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// ClusterHosts lists the hosts in a cluster.
func (c *Client) ClusterHosts(ctx context.Context, cluster string) ([]string, error) {
	var list HostList
	if err := c.do(ctx, http.MethodGet, "/api/v1/clusters/"+url.PathEscape(cluster)+"/hosts", nil, &list); err != nil {
		return nil, err
	}
	names := make([]string, len(list.Items))
	for i, it := range list.Items {
		names[i] = it.Hosts.HostName
	}
	return names, nil
}

// AddHosts adds registered hosts to a cluster in one request and returns
// its id.
func (c *Client) AddHosts(ctx context.Context, cluster string, hosts []HostAddition) (int64, error) {
	var acc Accepted
	if err := c.do(ctx, http.MethodPost, "/api/v1/clusters/"+url.PathEscape(cluster)+"/hosts", hosts, &acc); err != nil {
		return 0, err
	}
	return acc.Requests.ID, nil
}

// StopHostComponents sets every component of a host to INSTALLED (stopped)
// and returns the request id, or 0 when nothing had to change.
func (c *Client) StopHostComponents(ctx context.Context, cluster, host string) (int64, error) {
	body := map[string]any{"HostRoles": map[string]string{"state": "INSTALLED"}}
	var acc Accepted
	path := "/api/v1/clusters/" + url.PathEscape(cluster) + "/hosts/" + url.PathEscape(host) + "/host_components"
	if err := c.do(ctx, http.MethodPut, path, body, &acc); err != nil {
		return 0, err
	}
	return acc.Requests.ID, nil
}

// DeleteHost removes a host from a cluster.
func (c *Client) DeleteHost(ctx context.Context, cluster, host string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/clusters/"+url.PathEscape(cluster)+"/hosts/"+url.PathEscape(host), nil, nil)
}

// ErrRedirectLoop is a server that redirects herd in circles.
var ErrRedirectLoop = errors.New("ambari redirected 10 times: check the server's URL")

// Retryable reports whether trying the call again may help: a network
// error, a timeout, a 5xx or 429 answer, or an answer that is not JSON (a
// proxy's page while the server starts). A 4xx answer or a redirect loop
// is the caller's to fix.
func Retryable(err error) bool {
	var ae *APIError
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrRedirectLoop):
		return false
	case errors.As(err, &ae):
		return ae.Status >= 500 || ae.Status == http.StatusTooManyRequests
	}
	return true
}

// HostComponents lists the components on a host of a cluster with their
// state and admin state.
func (c *Client) HostComponents(ctx context.Context, cluster, host string) ([]HostRoles, error) {
	return c.hostRoles(ctx, fmt.Sprintf("/api/v1/clusters/%s/hosts/%s/host_components?fields=HostRoles/*", url.PathEscape(cluster), url.PathEscape(host)))
}

// Decommission asks the master of a slave component (NAMENODE for
// DATANODE, ...) to decommission it on hosts, and returns the request id.
func (c *Client) Decommission(ctx context.Context, cluster, slave string, hosts []string) (int64, error) {
	m, ok := DecommissionMasters[slave]
	if !ok {
		return 0, fmt.Errorf("ambari does not decommission %s", slave)
	}
	body := CommandRequest{
		RequestInfo: CommandInfo{Context: "Decommission " + slave, Command: "DECOMMISSION",
			Parameters: map[string]string{"slave_type": slave, "excluded_hosts": strings.Join(hosts, ",")}},
		Filters: []ResourceFilter{{ServiceName: m[0], ComponentName: m[1]}},
	}
	var acc Accepted
	if err := c.do(ctx, http.MethodPost, "/api/v1/clusters/"+url.PathEscape(cluster)+"/requests", body, &acc); err != nil {
		return 0, err
	}
	return acc.Requests.ID, nil
}

// QueueMetrics reads the YARN resource manager's root queue metrics.
func (c *Client) QueueMetrics(ctx context.Context, cluster string) (QueueMetrics, error) {
	var out struct {
		Metrics struct {
			Yarn struct {
				Queue struct {
					Root QueueMetrics `json:"root"`
				} `json:"Queue"`
			} `json:"yarn"`
		} `json:"metrics"`
	}
	path := "/api/v1/clusters/" + url.PathEscape(cluster) + "/services/YARN/components/RESOURCEMANAGER?fields=metrics/yarn/Queue/root"
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out.Metrics.Yarn.Queue.Root, err
}

// SubmitEmulatedApp asks herd's Ambari emulator (only it serves this) to
// run a synthetic YARN application: containers of memoryMB each, for d.
// It returns the application's id.
func (c *Client) SubmitEmulatedApp(ctx context.Context, cluster string, containers int, memoryMB int64, d time.Duration) (int64, error) {
	body := map[string]any{"containers": containers, "memory_mb": memoryMB, "duration": d.String()}
	var out struct {
		ID int64 `json:"id"`
	}
	err := c.do(ctx, http.MethodPost, "/emulator/v1/clusters/"+url.PathEscape(cluster)+"/apps", body, &out)
	return out.ID, err
}
