package activities

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

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
	mail := received(srv)
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

// E-mail through a relay that requires STARTTLS and auth (aiosmtpd with a
// certificate from a CA made for the test): refused while the CA is not
// trusted or the name is not the certificate's, each error permanent and
// naming the fix; with the CA file and the right password it arrives over
// TLS as that user; a wrong password is the server's refusal.
func TestMailOverSTARTTLSWithAuth(t *testing.T) {
	srv, caFile := smtptest.StartTLS(t, "herd", "s3cret")
	dir := t.TempDir()
	good, bad := dir+"/good", dir+"/bad"
	if os.WriteFile(good, []byte("s3cret\n"), 0o600) != nil || os.WriteFile(bad, []byte("wrong"), 0o600) != nil {
		t.Fatal("write password files")
	}
	target := cluster.NotifyTarget{Name: "relay", Kind: cluster.TargetEmail, SMTP: srv.Addr, From: "herd@example.com",
		To: []string{"ops@example.com"}, User: "herd", PasswordFile: good}
	refused(t, sendMail(context.Background(), target, testAlert()), "UntrustedCertificate", "--ca-file")
	target.CAFile = caFile
	_, port, _ := net.SplitHostPort(srv.Addr)
	byName := target
	byName.SMTP = "localhost:" + port
	refused(t, sendMail(context.Background(), byName, testAlert()), "CertificateName", "a name its certificate holds")
	notPEM := target
	notPEM.CAFile = good
	refused(t, sendMail(context.Background(), notPEM, testAlert()), "BadCAFile", "-----BEGIN CERTIFICATE-----")
	wrong := target
	wrong.PasswordFile = bad
	if err := sendMail(context.Background(), wrong, testAlert()); err == nil || !strings.Contains(err.Error(), "AUTH as herd") {
		t.Fatalf("a wrong password must fail the auth: %v", err)
	}
	if strings.Contains(srv.Output(), "----") {
		t.Fatalf("nothing may have been sent yet:\n%s", srv.Output())
	}
	if err := sendMail(context.Background(), target, testAlert()); err != nil {
		t.Fatal(err)
	}
	mail := received(srv)
	for _, want := range []string{"---- tls=True user=herd", "X-Herd-Alert-Id: " + testAlert().ID} {
		if !strings.Contains(mail, want) {
			t.Errorf("the relay's log lacks %q:\n%s", want, mail)
		}
	}
}

// refused checks that err is permanent, of kind, and names the fix.
func refused(t *testing.T, err error, kind, fix string) {
	t.Helper()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != kind || !strings.Contains(err.Error(), fix) {
		t.Fatalf("want a permanent %s error naming %q, got %v", kind, fix, err)
	}
}

// received is what the SMTP server printed once the test alert's body is in
// it, or after 10 s.
func received(srv *smtptest.Server) string {
	var mail string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if mail = srv.Output(); strings.Contains(mail, "node_failed in cluster c1") {
			break
		}
	}
	return mail
}

// An https webhook with a certificate from a private CA: refused, naming
// --ca-file, until the target gives that CA; then delivered.
func TestWebhookTrustsTheCAFile(t *testing.T) {
	master, _ := secrets.Generate()
	a := &Activities{Master: master}
	got := 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		got++
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	target := cluster.NotifyTarget{Name: "hook", Kind: cluster.TargetWebhook, URL: srv.URL}
	refused(t, a.send(context.Background(), target, testAlert()), "UntrustedCertificate", "--ca-file")
	target.CAFile = t.TempDir() + "/ca.pem"
	if err := os.WriteFile(target.CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := a.send(context.Background(), target, testAlert()); err != nil || got != 1 {
		t.Fatalf("with the CA file: %v, %d deliveries", err, got)
	}
}
