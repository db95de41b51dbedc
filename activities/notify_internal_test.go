package activities

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/smtptest"
	"github.com/herdhq/herd/secrets"
)

func testAlert() cluster.Alert {
	return cluster.NewAlert(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC), "c1", "c1-3", cluster.AlertNodeFailed, cluster.SeverityCritical,
		"node c1-3 is failed (was alive)\r\nBcc: someone@example.com")
}

// A webhook gets the alert as JSON with its id, signed with the target's
// key; an answer other than 2xx is an error (the delivery is retried).
func TestWebhookIsSigned(t *testing.T) {
	master, _ := secrets.Generate()
	a := &Activities{Master: master}
	var body []byte
	var hdr http.Header
	status := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		hdr = r.Header
		w.WriteHeader(status)
	}))
	defer srv.Close()
	target := cluster.NotifyTarget{Name: "hook", Kind: cluster.TargetWebhook, URL: srv.URL}
	al := testAlert()
	if err := a.send(context.Background(), target, al); err != nil {
		t.Fatal(err)
	}
	var got cluster.Alert
	if err := json.Unmarshal(body, &got); err != nil || got.ID != al.ID || got.Text != al.Text {
		t.Fatalf("body %s: %v", body, err)
	}
	if hdr.Get(HeaderAlertID) != al.ID || hdr.Get(HeaderSignature) != Sign(master.WebhookKey("hook"), body) ||
		!strings.HasPrefix(hdr.Get(HeaderSignature), "sha256=") {
		t.Fatalf("headers: %v", hdr)
	}
	other, _ := secrets.Generate()
	if hdr.Get(HeaderSignature) == Sign(other.WebhookKey("hook"), body) {
		t.Fatal("another master key must sign otherwise")
	}
	status = http.StatusServiceUnavailable
	if err := a.send(context.Background(), target, al); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("a 503 must be an error to retry: %v", err)
	}
}

// E-mail goes to a real SMTP server (Debian's aiosmtpd): one line of
// subject whatever the text holds; without STARTTLS it is refused unless
// the target allows it.
func TestMailReachesAnSMTPServer(t *testing.T) {
	srv := smtptest.Start(t)
	target := cluster.NotifyTarget{Name: "mail", Kind: cluster.TargetEmail, SMTP: srv.Addr, From: "herd@example.com", To: []string{"ops@example.com"}}
	if err := sendMail(context.Background(), target, testAlert()); err == nil || !strings.Contains(err.Error(), "--smtp-insecure") {
		t.Fatalf("a server without STARTTLS must be refused, naming the flag: %v", err)
	}
	target.Insecure = true
	if err := sendMail(context.Background(), target, testAlert()); err != nil {
		t.Fatal(err)
	}
	var mail string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if mail = srv.Output(); strings.Contains(mail, "node_failed in cluster c1") {
			break
		}
	}
	for _, want := range []string{"Subject: [herd] CRITICAL c1: node c1-3 is failed (was alive) Bcc: someone@example.com", "X-Herd-Alert-Id: " + testAlert().ID, "node_failed in cluster c1, node c1-3"} {
		if !strings.Contains(mail, want) {
			t.Errorf("the mail lacks %q:\n%s", want, mail)
		}
	}
	_, msg, _ := strings.Cut(mail, "From: ")
	if headers, _, _ := strings.Cut(msg, "\n\n"); strings.Contains(headers, "\nBcc:") {
		t.Errorf("a header was injected:\n%s", headers)
	}
}
