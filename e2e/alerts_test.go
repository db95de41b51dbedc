package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/internal/smtptest"
)

// receiver is a webhook endpoint that checks each delivery's signature and
// can be down (503) for a while.
type receiver struct {
	t    *testing.T
	key  string
	mu   sync.Mutex
	down bool
	got  []cluster.Alert
	bad  int // deliveries with a wrong signature
	shut int // deliveries refused while down
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.Header.Get(activities.HeaderSignature) != activities.Sign(r.key, body) {
		r.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if r.down {
		r.shut++
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	var al cluster.Alert
	if err := json.Unmarshal(body, &al); err != nil || req.Header.Get(activities.HeaderAlertID) != al.ID {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	r.got = append(r.got, al)
}

func (r *receiver) setDown(down bool) {
	r.mu.Lock()
	r.down = down
	r.mu.Unlock()
}

// alerts are the distinct alerts received (a repeated delivery of one ID
// counts once: delivery is at least once), and how many deliveries came.
func (r *receiver) alerts() ([]cluster.Alert, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []cluster.Alert
	seen := map[string]bool{}
	for _, al := range r.got {
		if !seen[al.ID] {
			seen[al.ID] = true
			out = append(out, al)
		}
	}
	return out, len(r.got)
}

// TestAlertsReachWebhookAndMail: targets added with the CLI get a test
// alert; a killed node's failure and its repair reach a signed webhook
// and a real SMTP server, the webhook's after it was down for a while
// (retried until it was back), and `herd alerts list` shows them.
func TestAlertsReachWebhookAndMail(t *testing.T) {
	s := start(t)
	hook := &receiver{t: t, key: s.master.WebhookKey("hook")}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	mails := smtptest.Start(t)
	s.mustCLI("notify", "add", "hook", "--webhook", srv.URL, "--cluster", "al")
	s.mustCLI("notify", "add", "mail", "--email", "ops@example.com", "--smtp", mails.Addr, "--smtp-insecure", "--cluster", "al")
	if out := s.mustCLI("notify", "list"); !strings.Contains(out, "hook") || !strings.Contains(out, "e-mail to ops@example.com") {
		t.Fatalf("notify list:\n%s", out)
	}
	s.mustCLI("notify", "test", "hook")
	if got, _ := hook.alerts(); len(got) != 1 || got[0].Kind != cluster.AlertTest {
		t.Fatalf("the test alert: %+v", got)
	}
	spec := s.spec("al", 3)
	spec.Repair.After, spec.DiskAlertPercent = 5*time.Second, 1 // every node's disk is past 1%
	spec.NodeEnv[contract.EnvHeartbeatTimeout], spec.NodeEnv[contract.EnvBeatInterval] = "4s", "1s"
	if _, err := s.provision(spec); err != nil {
		t.Fatal(err)
	}
	s.checkDiskAlert(hook, "al-2")
	hook.setDown(true)
	s.checkKilledIsReplaced("al", "al-3", 1)
	time.Sleep(5 * time.Second) // deliveries fail meanwhile, and are retried
	hook.setDown(false)
	s.checkAlertsArrived(hook, mails, "al-3")
	out := s.mustCLI("alerts", "list", "al")
	if !strings.Contains(out, "node_failed") || !strings.Contains(out, "node_repaired") {
		t.Fatalf("alerts list:\n%s", out)
	}
	s.recordHistory(cluster.WorkflowID("al"), "alerts.json")
	s.recordByType(cluster.WorkflowDeliverAlert, "alert-delivery.json")
	s.recordHistory(cluster.NotifyWorkflowID, "notify-targets.json")
	s.mustCLI("notify", "remove", "hook")
	if _, code := s.cli("notify", "test", "hook"); code == 0 {
		t.Fatal("a removed target must not be tested")
	}
	if _, err := s.herd.Terminate(context.Background(), "al", cluster.ReleaseInput{}); err != nil {
		t.Fatal(err)
	}
}

func (s *stack) mustCLI(args ...string) string {
	s.t.Helper()
	out, code := s.cli(args...)
	if code != 0 {
		s.t.Fatalf("herd %s (exit %d):\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// checkAlertsArrived: the webhook got node_failed then node_repaired about
// node (Ambari may have told of its lost heartbeat in between: a warning),
// each once and correctly signed, after deliveries were refused while it
// was down; the SMTP server got them by e-mail.
func (s *stack) checkAlertsArrived(hook *receiver, mails *smtptest.Server, node string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var kinds []string
	err := poll.Until(ctx, time.Second, func(context.Context) (bool, error) {
		kinds = nodeAlertKinds(hook, node, cluster.AlertNodeFailed, cluster.AlertNodeRepaired)
		return len(kinds) == 2 && strings.Count(mails.Output(), "X-Herd-Alert-Id: al.") >= 2, nil
	})
	got, deliveries := hook.alerts()
	if err != nil || fmt.Sprint(kinds) != "[node_failed node_repaired]" {
		s.t.Fatalf("alerts did not all arrive (%v): webhook %+v, mail:\n%s", kinds, got, mails.Output())
	}
	hook.mu.Lock()
	bad, shut := hook.bad, hook.shut
	hook.mu.Unlock()
	if bad != 0 || shut == 0 || deliveries != len(got) {
		s.t.Fatalf("signatures wrong %d, refused while down %d (must be some), deliveries %d for %d alerts", bad, shut, deliveries, len(got))
	}
	m := mails.Output()
	for _, want := range []string{"Subject: [herd] CRITICAL al: node " + node + " is failed", "node_repaired in cluster al, node " + node,
		"To: ops@example.com", "Subject: [herd] WARNING al: node al-2: / "} {
		if !strings.Contains(m, want) {
			s.t.Fatalf("mail lacks %q:\n%s", want, m)
		}
	}
}

// nodeAlertKinds are the kinds of the alerts about node the webhook got,
// in the order they were raised (their deliveries retry on their own, so a
// receiver that was down may get them in another order), among those of
// interest.
func nodeAlertKinds(hook *receiver, node string, of ...cluster.AlertKind) []string {
	got, _ := hook.alerts()
	slices.SortStableFunc(got, func(a, b cluster.Alert) int { return a.At.Compare(b.At) })
	var kinds []string
	for _, al := range got {
		if al.Node == node && slices.Contains(of, al.Kind) {
			kinds = append(kinds, string(al.Kind))
		}
	}
	return kinds
}

// checkDiskAlert: a node whose disk is past the cluster's threshold is
// told of, with the figure, within the watch's disk interval.
func (s *stack) checkDiskAlert(hook *receiver, node string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var text string
	err := poll.Until(ctx, time.Second, func(context.Context) (bool, error) {
		got, _ := hook.alerts()
		for _, al := range got {
			if al.Node == node && al.Kind == cluster.AlertDiskUsage {
				text = al.Text
			}
		}
		return text != "", nil
	})
	if err != nil || !regexp.MustCompile(`^node `+node+`: / \d+% full \(alert at 1%\)$`).MatchString(text) {
		s.t.Fatalf("disk alert of %s: %q %v", node, text, err)
	}
}
