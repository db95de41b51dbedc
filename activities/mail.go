package activities

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"strings"
	"time"

	"github.com/herdhq/herd/cluster"
)

// sendMail sends the alert by e-mail: STARTTLS when the server offers it
// (required unless the target is Insecure), PLAIN auth when the target has
// a user, with the password read from its file now.
func sendMail(ctx context.Context, t cluster.NotifyTarget, al cluster.Alert) error {
	host, _, err := net.SplitHostPort(t.SMTP)
	if err != nil {
		return permanent("BadTarget", "smtp address %q: %v", t.SMTP, err)
	}
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", t.SMTP)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", t.SMTP, err)
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", t.SMTP, err)
	}
	defer c.Close()
	if err := secure(c, t, host); err != nil {
		return err
	}
	if err := c.Mail(t.From); err != nil {
		return fmt.Errorf("smtp %s: MAIL FROM %s: %w", t.SMTP, t.From, err)
	}
	for _, to := range t.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("smtp %s: RCPT TO %s: %w", t.SMTP, to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", t.SMTP, err)
	}
	if _, err := w.Write(message(t, al)); err != nil {
		return fmt.Errorf("smtp %s: %w", t.SMTP, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp %s: the message was refused: %w", t.SMTP, err)
	}
	return c.Quit()
}

// secure starts TLS and authenticates as the target says.
func secure(c *smtp.Client, t cluster.NotifyTarget, host string) error {
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg, err := targetTLS(t)
		if err != nil {
			return err
		}
		cfg.ServerName = host
		if err := c.StartTLS(cfg); err != nil {
			return certError(t, fmt.Sprintf("smtp %s: STARTTLS", t.SMTP), err)
		}
	} else if !t.Insecure {
		return permanent("NoTLS", "smtp server %s does not offer STARTTLS: use one that does, or add the target with --smtp-insecure", t.SMTP)
	}
	if t.User == "" {
		return nil
	}
	pw, err := os.ReadFile(t.PasswordFile)
	if err != nil {
		return fmt.Errorf("smtp password of target %s: %w", t.Name, err)
	}
	// PlainAuth sends the password only over TLS, or to localhost.
	if err := c.Auth(smtp.PlainAuth("", t.User, strings.TrimSpace(string(pw)), host)); err != nil {
		return fmt.Errorf("smtp %s: AUTH as %s: %w", t.SMTP, t.User, err)
	}
	return nil
}

// message is the alert as an e-mail: the headers, a line to read, and the
// alert's JSON.
func message(t cluster.NotifyTarget, al cluster.Alert) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: [herd] %s %s: %s\r\n", t.From, strings.Join(t.To, ", "), al.Severity, al.Cluster, oneLine(al.Text))
	fmt.Fprintf(&b, "Date: %s\r\nMessage-ID: <%s@herd>\r\nX-Herd-Alert-Id: %s\r\n", al.At.UTC().Format(time.RFC1123Z), al.ID, al.ID)
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
	fmt.Fprintf(&b, "%s %s in cluster %s", al.Severity, al.Kind, al.Cluster)
	if al.Node != "" {
		fmt.Fprintf(&b, ", node %s", al.Node)
	}
	fmt.Fprintf(&b, " at %s:\r\n%s\r\n", al.At.UTC().Format(time.RFC3339), al.Text)
	return []byte(b.String())
}

// oneLine keeps a header value on one line: no CR or LF gets into the
// message's headers.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
