package aws

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
)

// fakeEC2 speaks enough of the EC2 Query protocol (form-encoded requests,
// XML answers, AWS error XML) for RunInstances, DescribeInstances (filtered
// listings paged by two) and TerminateInstances, with instances moving
// pending -> running.
type fakeEC2 struct {
	mu        sync.Mutex
	instances map[string]*fakeInstance // by id
	tokens    map[string]string        // ClientToken -> id
	calls     map[string]int
	throttle  int               // RunInstances calls to refuse with RequestLimitExceeded first
	failNode  map[string]string // node tag -> error code of its RunInstances
	loseReply int               // RunInstances replies to drop after launching
	ip        string            // every instance's address, when set
}

type fakeInstance struct {
	id, state, ip string
	userData      string
	tags          map[string]string
}

func newFakeEC2(t *testing.T) (*fakeEC2, string) {
	f := &fakeEC2{instances: map[string]*fakeInstance{}, tokens: map[string]string{}, calls: map[string]int{}, failNode: map[string]string{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	return f, srv.URL
}

func (f *fakeEC2) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.fail(w, 400, "MalformedQueryString", err.Error())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	action := r.Form.Get("Action")
	f.calls[action]++
	switch action {
	case "RunInstances":
		f.run(w, r)
	case "DescribeInstances":
		f.describe(w, r)
	case "TerminateInstances":
		f.terminate(w, r)
	default:
		f.fail(w, 400, "InvalidAction", "unknown action "+action)
	}
}

func (f *fakeEC2) fail(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>req-1</RequestID></Response>`, code, msg)
}

func tags(form map[string][]string) map[string]string {
	out := map[string]string{}
	for i := 1; ; i++ {
		k := fmt.Sprintf("TagSpecification.1.Tag.%d.", i)
		if len(form[k+"Key"]) == 0 {
			return out
		}
		out[form[k+"Key"][0]] = form[k+"Value"][0]
	}
}

func (f *fakeEC2) run(w http.ResponseWriter, r *http.Request) {
	if f.throttle > 0 {
		f.throttle--
		f.fail(w, 503, "RequestLimitExceeded", "Request limit exceeded.")
		return
	}
	if !strings.HasPrefix(r.Form.Get("ImageId"), "ami-good") {
		f.fail(w, 400, "InvalidAMIID.NotFound", fmt.Sprintf("The image id '[%s]' does not exist", r.Form.Get("ImageId")))
		return
	}
	tg := tags(r.Form)
	if code, ok := f.failNode[tg[TagNode]]; ok {
		f.fail(w, 500, code, "no capacity for "+tg[TagNode])
		return
	}
	id, seen := f.tokens[r.Form.Get("ClientToken")]
	if !seen {
		id = fmt.Sprintf("i-%08d", len(f.instances)+1)
		ip := fmt.Sprintf("10.0.0.%d", len(f.instances)+1)
		if f.ip != "" {
			ip = f.ip
		}
		f.instances[id] = &fakeInstance{id: id, state: "pending", ip: ip, tags: tg, userData: r.Form.Get("UserData")}
		f.tokens[r.Form.Get("ClientToken")] = id
	}
	if f.loseReply > 0 {
		f.loseReply--
		f.fail(w, 500, "InternalError", "reply lost")
		return
	}
	fmt.Fprintf(w, `<RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationId>r-1</reservationId><ownerId>1</ownerId><instancesSet>%s</instancesSet></RunInstancesResponse>`, f.item(f.instances[id]))
}

func (f *fakeEC2) item(i *fakeInstance) string {
	var tg strings.Builder
	keys := make([]string, 0, len(i.tags))
	for k := range i.tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&tg, "<item><key>%s</key><value>%s</value></item>", k, i.tags[k])
	}
	code := map[string]int{"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48}[i.state]
	return fmt.Sprintf(`<item><instanceId>%s</instanceId><imageId>ami-good</imageId><instanceState><code>%d</code><name>%s</name></instanceState><privateIpAddress>%s</privateIpAddress><tagSet>%s</tagSet></item>`,
		i.id, code, i.state, i.ip, tg.String())
}

// matches applies the filters and ids of a DescribeInstances request.
func matches(i *fakeInstance, form map[string][]string) bool {
	ids := map[string]bool{}
	for n := 1; len(form[fmt.Sprintf("InstanceId.%d", n)]) > 0; n++ {
		ids[form[fmt.Sprintf("InstanceId.%d", n)][0]] = true
	}
	if len(ids) > 0 && !ids[i.id] {
		return false
	}
	for n := 1; len(form[fmt.Sprintf("Filter.%d.Name", n)]) > 0; n++ {
		name := form[fmt.Sprintf("Filter.%d.Name", n)][0]
		var values []string
		for v := 1; len(form[fmt.Sprintf("Filter.%d.Value.%d", n, v)]) > 0; v++ {
			values = append(values, form[fmt.Sprintf("Filter.%d.Value.%d", n, v)][0])
		}
		have := i.state
		if strings.HasPrefix(name, "tag:") {
			have = i.tags[strings.TrimPrefix(name, "tag:")]
		}
		if !contains(values, have) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (f *fakeEC2) describe(w http.ResponseWriter, r *http.Request) {
	var hits []*fakeInstance
	for _, i := range f.sorted() {
		if matches(i, r.Form) {
			hits = append(hits, i)
		}
	}
	start, end := 0, len(hits)
	if r.Form.Get("InstanceId.1") == "" { // EC2 pages only filtered listings
		fmt.Sscanf(r.Form.Get("NextToken"), "page-%d", &start)
		end = min(start+2, len(hits))
	}
	var items strings.Builder
	for _, i := range hits[start:end] {
		items.WriteString(f.item(i))
		if i.state == "pending" {
			i.state = "running" // the next look finds it running
		}
	}
	next := ""
	if end < len(hits) {
		next = fmt.Sprintf("<nextToken>page-%d</nextToken>", end)
	}
	fmt.Fprintf(w, `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId><instancesSet>%s</instancesSet></item></reservationSet>%s</DescribeInstancesResponse>`, items.String(), next)
}

func (f *fakeEC2) terminate(w http.ResponseWriter, r *http.Request) {
	var items strings.Builder
	for n := 1; len(r.Form[fmt.Sprintf("InstanceId.%d", n)]) > 0; n++ {
		i, ok := f.instances[r.Form.Get(fmt.Sprintf("InstanceId.%d", n))]
		if !ok {
			f.fail(w, 400, "InvalidInstanceID.NotFound", "no such instance")
			return
		}
		i.state = "terminated"
		fmt.Fprintf(&items, `<item><instanceId>%s</instanceId><currentState><code>48</code><name>terminated</name></currentState></item>`, i.id)
	}
	fmt.Fprintf(w, `<TerminateInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><instancesSet>%s</instancesSet></TerminateInstancesResponse>`, items.String())
}

func (f *fakeEC2) sorted() []*fakeInstance {
	out := make([]*fakeInstance, 0, len(f.instances))
	for _, i := range f.instances {
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].id < out[b].id })
	return out
}

// live counts the instances of a cluster that are not terminated.
func (f *fakeEC2) live(clusterName string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, i := range f.instances {
		if i.tags[TagCluster] == clusterName && i.state != "terminated" {
			n++
		}
	}
	return n
}
