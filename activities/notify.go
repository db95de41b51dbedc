package activities

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/herdclient"
)

// Headers of a webhook delivery.
const (
	HeaderSignature = "X-Herd-Signature" // sha256=HEX of HMAC-SHA256(key, body)
	HeaderAlertID   = "X-Herd-Alert-Id"
)

// DeliverAlert sends an alert to every notification target that covers its
// cluster (or to in.Only). A target it reached is recorded in the
// activity's heartbeat, so a retry sends only to those it has not: each
// target gets the alert at least once, and again only when a delivery's
// answer was lost.
func (a *Activities) DeliverAlert(ctx context.Context, in cluster.DeliverInput) (cluster.Delivered, error) {
	targets, err := a.targets(ctx)
	if err != nil {
		return cluster.Delivered{}, err
	}
	var done cluster.Delivered
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &done)
	}
	var errs []error
	for _, t := range targets {
		if (in.Only != "" && t.Name != in.Only) || (in.Only == "" && !t.Covers(in.Alert.Cluster)) || slices.Contains(done.Targets, t.Name) {
			continue
		}
		if err := a.send(ctx, t, in.Alert); err != nil {
			errs = append(errs, fmt.Errorf("target %s: %w", t.Name, err))
			continue
		}
		done.Targets = append(done.Targets, t.Name)
		activity.RecordHeartbeat(ctx, done)
	}
	if in.Only != "" && !slices.ContainsFunc(targets, func(t cluster.NotifyTarget) bool { return t.Name == in.Only }) {
		return done, permanent("NoSuchTarget", "there is no notification target %q: see herd notify list", in.Only)
	}
	return done, errors.Join(errs...)
}

// targets reads the notification targets from their workflow, as the
// CLI does; none when it was never started.
func (a *Activities) targets(ctx context.Context) ([]cluster.NotifyTarget, error) {
	if a.Temporal == nil {
		return nil, permanent("NoClient", "this worker has no Temporal client to read notification targets with")
	}
	return herdclient.New(a.Temporal, nil).Targets(ctx)
}

func (a *Activities) send(ctx context.Context, t cluster.NotifyTarget, al cluster.Alert) error {
	switch t.Kind {
	case cluster.TargetWebhook:
		return a.postWebhook(ctx, t, al)
	case cluster.TargetEmail:
		return sendMail(ctx, t, al)
	}
	return fmt.Errorf("unknown target kind %q", t.Kind)
}

// postWebhook posts the alert as JSON, signed with the target's key.
func (a *Activities) postWebhook(ctx context.Context, t cluster.NotifyTarget, al cluster.Alert) error {
	body, err := json.Marshal(al)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderAlertID, al.ID)
	req.Header.Set(HeaderSignature, Sign(a.Master.WebhookKey(t.Name), body))
	cfg, err := targetTLS(t)
	if err != nil {
		return err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Timeout: 15 * time.Second, Transport: tr}).Do(req)
	if err != nil {
		return certError(t, "post "+t.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("post %s: %s", t.URL, resp.Status)
	}
	return nil
}

// Sign is a webhook body's signature header: sha256= and the hex HMAC.
func Sign(key string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
