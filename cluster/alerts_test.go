package cluster

import (
	"strings"
	"testing"
)

// A target is refused before it is stored when it could not work, with
// what to change; --ca-file is for https webhooks and e-mail.
func TestNotifyTargetValidate(t *testing.T) {
	hook := NotifyTarget{Name: "hook", Kind: TargetWebhook, URL: "https://hooks.example/herd", CAFile: "/etc/herd/ca.pem"}
	mail := NotifyTarget{Name: "mail", Kind: TargetEmail, SMTP: "mail.example:587", From: "herd@example.com", To: []string{"ops@example.com"}, CAFile: "/etc/herd/ca.pem"}
	for _, ok := range []NotifyTarget{hook, mail} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%s: %v", ok.Name, err)
		}
	}
	plain := hook
	plain.URL = "http://hooks.example/herd"
	noUser := mail
	noUser.PasswordFile = "/etc/herd/smtp.pass"
	for want, bad := range map[string]NotifyTarget{
		"--ca-file is for https webhooks":                    plain,
		"give --smtp-user and --smtp-password-file together": noUser,
	} {
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q, got %v", want, err)
		}
	}
}
