package aws

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/herdhq/herd/cloudinit"
)

// fakeEC2 speaks the EC2 Query protocol (form-encoded requests, XML
// answers, AWS error XML) and is as strict as EC2 where herd depends on it:
//   - a ClientToken answers with its first instance for good, terminated or
//     not, and other parameters under the same token are
//     IdempotentParameterMismatch;
//   - filtered listings are eventually consistent: an instance shows in
//     them only some listings after its launch (lag);
//   - TerminateInstances with one unknown id terminates none of the batch;
//   - terminated instances pass through shutting-down;
//   - instances can die at launch (terminated, with a state reason);
//   - user data over 16 KiB is refused;
//   - an AMI can be an SSM parameter (resolve:ssm:NAME), read at launch;
//   - each AMI has its root device name: a mapping of another device adds a
//     volume and leaves the root as it is;
//   - listings are paged only when MaxResults is given.
type fakeEC2 struct {
	mu         sync.Mutex
	instances  map[string]*fakeInstance // by id
	tokens     map[string]string        // ClientToken -> id
	calls      map[string]int
	throttle   int               // RunInstances calls to refuse with RequestLimitExceeded first
	failNode   map[string]string // node tag -> error code of its RunInstances
	failSubnet map[string]string // subnet -> error code of RunInstances in it
	dieAtStart map[string]string // node tag -> state reason: the instance dies at launch
	loseReply  int               // RunInstances replies to drop after launching
	lag        int               // filtered listings an instance misses after its launch
	ip         string            // every instance's address, when set
	console    map[string]string // instance id -> console output
	requests   []iamRequest      // what each call asks of IAM, for the policy test
	parameters map[string]string // SSM parameter -> value
}

// iamRequest is one authorization EC2 asks of IAM for a call: the action
// on one resource, with its tags and the tags asked for.
type iamRequest struct {
	action, resource string
	requestTags      map[string]string // aws:RequestTag/*
	resourceTags     map[string]string // ec2:ResourceTag/*
	createAction     string            // ec2:CreateAction
	tagKeys          []string          // aws:TagKeys
}

const arn = "arn:aws:ec2:eu-central-1:123456789012:"

// authorize records what IAM would be asked for a call.
func (f *fakeEC2) authorize(r iamRequest) { f.requests = append(f.requests, r) }

func (f *fakeEC2) authorizeOn(action string, insts []*fakeInstance) {
	for _, i := range insts {
		f.authorize(iamRequest{action: action, resource: arn + "instance/" + i.id, resourceTags: i.tags})
	}
}

type fakeInstance struct {
	id, state, ip, subnet string
	image                 string
	userData, params      string
	tags                  map[string]string
	root                  fakeVolume
	volumes               int // volumes besides the root
	metadataTokens        string
	hopLimit              string
	publicIP              string
	profile               string
	spot                  bool
	reason                string
	unseen                int // filtered listings still to miss
	taggedTypes           []string
}

type fakeVolume struct {
	device, kind, size string
	encrypted          bool
}

var rootDevices = map[string]string{"ami-good1": "/dev/xvda", "ami-good-ubuntu": "/dev/sda1"}

func newFakeEC2(t *testing.T) (*fakeEC2, string) {
	f := &fakeEC2{instances: map[string]*fakeInstance{}, tokens: map[string]string{}, calls: map[string]int{},
		failNode: map[string]string{}, failSubnet: map[string]string{}, dieAtStart: map[string]string{}, console: map[string]string{}, parameters: map[string]string{}}
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
	if target := r.Header.Get("X-Amz-Target"); strings.HasPrefix(target, "AmazonSSM.") {
		f.ssm(w, r, target)
		return
	}
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
		f.run(w, r.Form)
	case "DescribeInstances":
		f.authorize(iamRequest{action: "ec2:DescribeInstances", resource: "*"})
		f.describe(w, r.Form)
	case "TerminateInstances":
		f.terminate(w, r.Form)
	case "StopInstances", "StartInstances":
		f.power(w, r.Form, action)
	case "DescribeImages":
		f.authorize(iamRequest{action: "ec2:DescribeImages", resource: "*"})
		f.images(w, r.Form)
	case "CreateTags":
		f.createTags(w, r.Form)
	case "GetConsoleOutput":
		if i := f.instances[r.Form.Get("InstanceId")]; i != nil {
			f.authorizeOn("ec2:GetConsoleOutput", []*fakeInstance{i})
		}
		out := base64.StdEncoding.EncodeToString([]byte(f.console[r.Form.Get("InstanceId")]))
		fmt.Fprintf(w, `<GetConsoleOutputResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><instanceId>%s</instanceId><output>%s</output></GetConsoleOutputResponse>`, r.Form.Get("InstanceId"), out)
	default:
		f.fail(w, 400, "InvalidAction", "unknown action "+action)
	}
}

func (f *fakeEC2) fail(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>req-1</RequestID></Response>`, code, msg)
}

// tagSpecs reads every TagSpecification: the tags of the instance, and the
// resource types tagged.
func tagSpecs(form url.Values) (map[string]string, []string) {
	out := map[string]string{}
	var types []string
	for s := 1; form.Get(fmt.Sprintf("TagSpecification.%d.ResourceType", s)) != ""; s++ {
		typ := form.Get(fmt.Sprintf("TagSpecification.%d.ResourceType", s))
		types = append(types, typ)
		for i := 1; ; i++ {
			k := fmt.Sprintf("TagSpecification.%d.Tag.%d.", s, i)
			if form.Get(k+"Key") == "" {
				break
			}
			if typ == "instance" {
				out[form.Get(k+"Key")] = form.Get(k + "Value")
			}
		}
	}
	sort.Strings(types)
	return out, types
}

// params are what must be the same for a ClientToken to be reused.
func params(form url.Values) string {
	h := sha256.New()
	for _, k := range []string{"ImageId", "InstanceType", "UserData", "NetworkInterface.1.SubnetId", "SubnetId"} {
		fmt.Fprintf(h, "%s=%s;", k, form.Get(k))
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func (f *fakeEC2) run(w http.ResponseWriter, form url.Values) {
	if f.throttle > 0 {
		f.throttle--
		f.fail(w, 503, "RequestLimitExceeded", "Request limit exceeded.")
		return
	}
	image, ok := f.image(form.Get("ImageId"))
	if !ok {
		f.fail(w, 400, "InvalidAMIID.NotFound", fmt.Sprintf("The image id '[%s]' does not exist", form.Get("ImageId")))
		return
	}
	if ud, _ := base64.StdEncoding.DecodeString(form.Get("UserData")); len(ud) > 16384 {
		f.fail(w, 400, "InvalidParameterValue", "User data is limited to 16384 bytes")
		return
	}
	tg, types := tagSpecs(form)
	subnet := form.Get("NetworkInterface.1.SubnetId")
	if code, ok := f.failNode[tg[TagNode]]; ok {
		f.fail(w, 500, code, "no capacity for "+tg[TagNode])
		return
	}
	if code, ok := f.failSubnet[subnet]; ok {
		f.fail(w, 500, code, "no capacity in "+subnet)
		return
	}
	token := form.Get("ClientToken")
	if id, seen := f.tokens[token]; seen {
		if f.instances[id].params != params(form) {
			f.fail(w, 400, "IdempotentParameterMismatch", "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).")
			return
		}
		f.reply(w, f.instances[id])
		return
	}
	i := f.launch(form, tg, types, image, subnet)
	f.tokens[token] = i.id
	for _, typ := range []string{"instance", "volume", "network-interface"} {
		f.authorize(iamRequest{action: "ec2:RunInstances", resource: arn + typ + "/new", requestTags: tg})
		f.authorize(iamRequest{action: "ec2:CreateTags", resource: arn + typ + "/new", requestTags: tg, createAction: "RunInstances", tagKeys: slices.Sorted(maps.Keys(tg))})
	}
	f.authorize(iamRequest{action: "ec2:RunInstances", resource: "arn:aws:ec2:eu-central-1::image/" + image})
	if subnet != "" {
		f.authorize(iamRequest{action: "ec2:RunInstances", resource: arn + "subnet/" + subnet})
	}
	f.reply(w, i)
}

// image is the AMI id RunInstances was given, or the value of the SSM
// parameter it named (resolve:ssm:NAME), which EC2 reads as the caller.
func (f *fakeEC2) image(id string) (string, bool) {
	if name, ok := strings.CutPrefix(id, "resolve:ssm:"); ok {
		f.authorize(iamRequest{action: "ssm:GetParameters", resource: parameterARN(name)})
		id = f.parameters[name]
	}
	_, ok := rootDevices[id]
	return id, ok
}

func (f *fakeEC2) launch(form url.Values, tg map[string]string, types []string, image, subnet string) *fakeInstance {
	id := fmt.Sprintf("i-%08d", len(f.instances)+1)
	ip := fmt.Sprintf("10.0.0.%d", len(f.instances)+1)
	if f.ip != "" {
		ip = f.ip
	}
	i := &fakeInstance{id: id, state: "pending", ip: ip, image: image, subnet: subnet, tags: tg, userData: form.Get("UserData"), params: params(form),
		metadataTokens: form.Get("MetadataOptions.HttpTokens"), hopLimit: form.Get("MetadataOptions.HttpPutResponseHopLimit"),
		publicIP: form.Get("NetworkInterface.1.AssociatePublicIpAddress"), profile: form.Get("IamInstanceProfile.Name"),
		spot: form.Get("InstanceMarketOptions.MarketType") == "spot", unseen: f.lag, taggedTypes: types,
		root: fakeVolume{device: rootDevices[image], kind: "gp2", size: "8"}}
	for b := 1; form.Get(fmt.Sprintf("BlockDeviceMapping.%d.DeviceName", b)) != ""; b++ {
		p := fmt.Sprintf("BlockDeviceMapping.%d.", b)
		if form.Get(p+"DeviceName") != i.root.device {
			i.volumes++ // EC2 adds a volume; the root stays as the image has it
			continue
		}
		i.root = fakeVolume{device: i.root.device, kind: form.Get(p + "Ebs.VolumeType"), size: form.Get(p + "Ebs.VolumeSize"),
			encrypted: form.Get(p+"Ebs.Encrypted") == "true"}
	}
	if reason, ok := f.dieAtStart[tg[TagNode]]; ok {
		i.state, i.reason = "terminated", reason
	}
	f.instances[id] = i
	return i
}

func (f *fakeEC2) reply(w http.ResponseWriter, i *fakeInstance) {
	if f.loseReply > 0 {
		f.loseReply--
		f.fail(w, 500, "InternalError", "reply lost")
		return
	}
	fmt.Fprintf(w, `<RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationId>r-1</reservationId><ownerId>1</ownerId><instancesSet>%s</instancesSet></RunInstancesResponse>`, f.item(i))
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
	code := map[string]int{"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}[i.state]
	reason := ""
	if i.reason != "" {
		reason = fmt.Sprintf("<stateReason><code>%s</code><message>%s</message></stateReason>", i.reason, i.reason)
	}
	return fmt.Sprintf(`<item><instanceId>%s</instanceId><imageId>%s</imageId><instanceState><code>%d</code><name>%s</name></instanceState>%s<privateIpAddress>%s</privateIpAddress><tagSet>%s</tagSet></item>`,
		i.id, i.image, code, i.state, reason, i.ip, tg.String())
}

// matches applies the filters and ids of a DescribeInstances request.
func matches(i *fakeInstance, form url.Values) bool {
	ids := map[string]bool{}
	for n := 1; form.Get(fmt.Sprintf("InstanceId.%d", n)) != ""; n++ {
		ids[form.Get(fmt.Sprintf("InstanceId.%d", n))] = true
	}
	if len(ids) > 0 && !ids[i.id] {
		return false
	}
	for n := 1; form.Get(fmt.Sprintf("Filter.%d.Name", n)) != ""; n++ {
		name := form.Get(fmt.Sprintf("Filter.%d.Name", n))
		var values []string
		for v := 1; form.Get(fmt.Sprintf("Filter.%d.Value.%d", n, v)) != ""; v++ {
			values = append(values, form.Get(fmt.Sprintf("Filter.%d.Value.%d", n, v)))
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

func (f *fakeEC2) describe(w http.ResponseWriter, form url.Values) {
	filtered := form.Get("InstanceId.1") == ""
	var hits []*fakeInstance
	for _, i := range f.sorted() {
		if filtered && i.unseen > 0 { // eventually consistent: not in listings yet
			i.unseen--
			continue
		}
		if matches(i, form) {
			hits = append(hits, i)
		}
	}
	start, end := 0, len(hits)
	if n := form.Get("MaxResults"); n != "" { // EC2 pages only when asked
		var size int
		fmt.Sscan(n, &size)
		fmt.Sscanf(form.Get("NextToken"), "page-%d", &start)
		end = min(start+max(size, 5), len(hits))
	}
	var items strings.Builder
	for _, i := range hits[start:end] {
		items.WriteString(f.item(i))
		f.step(i)
	}
	next := ""
	if end < len(hits) {
		next = fmt.Sprintf("<nextToken>page-%d</nextToken>", end)
	}
	fmt.Fprintf(w, `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId><instancesSet>%s</instancesSet></item></reservationSet>%s</DescribeInstancesResponse>`, items.String(), next)
}

// step moves an instance on, as time passes between two looks.
func (f *fakeEC2) step(i *fakeInstance) {
	switch i.state {
	case "pending":
		i.state = "running"
	case "shutting-down":
		i.state = "terminated"
	case "stopping":
		i.state = "stopped"
	}
}

func (f *fakeEC2) ids(form url.Values) ([]*fakeInstance, bool) {
	var out []*fakeInstance
	for n := 1; form.Get(fmt.Sprintf("InstanceId.%d", n)) != ""; n++ {
		i, ok := f.instances[form.Get(fmt.Sprintf("InstanceId.%d", n))]
		if !ok {
			return nil, false
		}
		out = append(out, i)
	}
	return out, true
}

func (f *fakeEC2) terminate(w http.ResponseWriter, form url.Values) {
	insts, ok := f.ids(form)
	if !ok { // one unknown id: none of the batch is terminated
		f.fail(w, 400, "InvalidInstanceID.NotFound", "The instance ID does not exist")
		return
	}
	f.authorizeOn("ec2:TerminateInstances", insts)
	var items strings.Builder
	for _, i := range insts {
		if i.state != "terminated" {
			i.state = "shutting-down"
		}
		fmt.Fprintf(&items, `<item><instanceId>%s</instanceId><currentState><code>32</code><name>%s</name></currentState></item>`, i.id, i.state)
	}
	fmt.Fprintf(w, `<TerminateInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><instancesSet>%s</instancesSet></TerminateInstancesResponse>`, items.String())
}

func (f *fakeEC2) power(w http.ResponseWriter, form url.Values, action string) {
	insts, ok := f.ids(form)
	if !ok {
		f.fail(w, 400, "InvalidInstanceID.NotFound", "The instance ID does not exist")
		return
	}
	f.authorizeOn("ec2:"+action, insts)
	var items strings.Builder
	for _, i := range insts {
		switch {
		case action == "StopInstances" && i.state == "running":
			i.state = "stopping"
		case action == "StartInstances" && i.state == "stopped":
			i.state = "pending"
		}
		fmt.Fprintf(&items, `<item><instanceId>%s</instanceId><currentState><code>0</code><name>%s</name></currentState></item>`, i.id, i.state)
	}
	tag := map[string]string{"StopInstances": "StopInstancesResponse", "StartInstances": "StartInstancesResponse"}[action]
	fmt.Fprintf(w, `<%s xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><instancesSet>%s</instancesSet></%s>`, tag, items.String(), tag)
}

func (f *fakeEC2) images(w http.ResponseWriter, form url.Values) {
	ami := form.Get("ImageId.1")
	dev, ok := rootDevices[ami]
	if !ok {
		f.fail(w, 400, "InvalidAMIID.NotFound", fmt.Sprintf("The image id '[%s]' does not exist", ami))
		return
	}
	fmt.Fprintf(w, `<DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><imagesSet><item><imageId>%s</imageId><rootDeviceName>%s</rootDeviceName><rootDeviceType>ebs</rootDeviceType></item></imagesSet></DescribeImagesResponse>`, ami, dev)
}

func (f *fakeEC2) sorted() []*fakeInstance {
	out := make([]*fakeInstance, 0, len(f.instances))
	for _, i := range f.instances {
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].id < out[b].id })
	return out
}

// live counts the instances of a cluster that are not terminated or going.
func (f *fakeEC2) live(clusterName string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, i := range f.instances {
		if i.tags[TagCluster] == clusterName && i.state != "terminated" && i.state != "shutting-down" {
			n++
		}
	}
	return n
}

// byNode is the newest instance of a node.
func (f *fakeEC2) byNode(node string) *fakeInstance {
	f.mu.Lock()
	defer f.mu.Unlock()
	var last *fakeInstance
	for _, i := range f.sorted() {
		if i.tags[TagNode] == node {
			last = i
		}
	}
	return last
}

func (f *fakeEC2) createTags(w http.ResponseWriter, form url.Values) {
	for n := 1; form.Get(fmt.Sprintf("ResourceId.%d", n)) != ""; n++ {
		i, ok := f.instances[form.Get(fmt.Sprintf("ResourceId.%d", n))]
		if !ok {
			f.fail(w, 400, "InvalidInstanceID.NotFound", "The instance ID does not exist")
			return
		}
		var keys []string
		for k := 1; form.Get(fmt.Sprintf("Tag.%d.Key", k)) != ""; k++ {
			keys = append(keys, form.Get(fmt.Sprintf("Tag.%d.Key", k)))
		}
		f.authorize(iamRequest{action: "ec2:CreateTags", resource: arn + "instance/" + i.id, resourceTags: copyTags(i.tags), tagKeys: keys})
		for k := 1; form.Get(fmt.Sprintf("Tag.%d.Key", k)) != ""; k++ {
			i.tags[form.Get(fmt.Sprintf("Tag.%d.Key", k))] = form.Get(fmt.Sprintf("Tag.%d.Value", k))
		}
	}
	fmt.Fprint(w, `<CreateTagsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><return>true</return></CreateTagsResponse>`)
}

// boot is an instance's host telling its engine's fingerprint on its
// console, as its cloud-config makes it.
func (f *fakeEC2) boot(id, pin string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.console[id] += "\n" + cloudinit.PinPrefix + pin + "\n"
}

func copyTags(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ssm answers SSM's JSON protocol: GetParameter only, as EC2's public
// image parameters are read.
func (f *fakeEC2) ssm(w http.ResponseWriter, r *http.Request, target string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	var in struct{ Name string }
	if target != "AmazonSSM.GetParameter" || json.NewDecoder(r.Body).Decode(&in) != nil {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"__type":"InvalidAction","message":"unknown action %s"}`, target)
		return
	}
	f.calls[target]++
	paramARN := parameterARN(in.Name)
	f.authorize(iamRequest{action: "ssm:GetParameter", resource: paramARN})
	v, ok := f.parameters[in.Name]
	if !ok {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"__type":"ParameterNotFound","message":""}`)
		return
	}
	out, _ := json.Marshal(map[string]any{"Parameter": map[string]any{"Name": in.Name, "Type": "String", "Value": v,
		"Version": 1, "ARN": paramARN, "DataType": "aws:ec2:image"}})
	w.Write(out)
}

// parameterARN is an SSM parameter's ARN: AWS's public ones have no account.
func parameterARN(name string) string {
	if strings.HasPrefix(name, "/aws/service/") {
		return "arn:aws:ssm:eu-central-1::parameter" + name
	}
	return "arn:aws:ssm:eu-central-1:123456789012:parameter" + name
}
