package cluster

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"time"
)

// AlertKind says what an alert is about.
type AlertKind string

// Alert kinds herd raises.
const (
	AlertNodeFailed    AlertKind = "node_failed"      // a node failed or left Serf
	AlertNodeRecovered AlertKind = "node_recovered"   // a node is alive again (by itself)
	AlertNodeRepaired  AlertKind = "node_repaired"    // a node was replaced by repair
	AlertHeartbeatLost AlertKind = "heartbeat_lost"   // Ambari lost a host's heartbeat while Serf sees it
	AlertOpFailed      AlertKind = "operation_failed" // an operation failed (an Ambari request, a step)
	AlertDiskUsage     AlertKind = "disk_usage"       // a node's file system passed the threshold, or is back under it
	AlertAutoscaleMax  AlertKind = "autoscale_at_max" // load asks for more nodes than the autoscale policy's maximum
	AlertTest          AlertKind = "test"             // `herd notify test`
)

// Severity is how urgent an alert is, in Ambari's words.
type Severity string

// Severities.
const (
	SeverityCritical Severity = "CRITICAL"
	SeverityWarning  Severity = "WARNING"
	SeverityOK       Severity = "OK"
)

// Alert is one thing herd tells people about a cluster. ID is unique to
// the event: receivers drop a delivery they have had (delivery is at least
// once).
type Alert struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	Cluster  string    `json:"cluster"`
	Node     string    `json:"node,omitempty"`
	Kind     AlertKind `json:"kind"`
	Severity Severity  `json:"severity"`
	Text     string    `json:"text"`
}

// NewAlert is an alert with its ID (cluster, kind, node and time).
func NewAlert(at time.Time, clusterName, node string, kind AlertKind, sev Severity, text string) Alert {
	return Alert{ID: fmt.Sprintf("%s.%s.%s.%d", clusterName, kind, node, at.UnixMilli()), At: at, Cluster: clusterName, Node: node,
		Kind: kind, Severity: sev, Text: text}
}

// AlertLogSize bounds the alerts a cluster's status keeps.
const AlertLogSize = 50

// NotifyWorkflowID is the workflow that holds herd's notification targets.
const NotifyWorkflowID = "herd-notify"

// Names of the notification targets workflow's updates and query, and of
// the workflows that deliver alerts.
const (
	WorkflowNotify       = "NotifyWorkflow"
	WorkflowDeliverAlert = "DeliverAlertWorkflow"
	UpdateAddTarget      = "add-target"
	UpdateRemoveTarget   = "remove-target"
	QueryTargets         = "targets"
)

// DeliveryWorkflowID is the id of the workflow delivering one alert.
func DeliveryWorkflowID(alertID string) string { return "alert/" + alertID }

// Target kinds.
const (
	TargetWebhook = "webhook"
	TargetEmail   = "email"
)

// NotifyTarget is where alerts go: a webhook (a JSON body signed with an HMAC
// header) or e-mail over SMTP, for one cluster or every one. It holds no
// secret: the webhook's key derives from the master key, the SMTP password
// is read from PasswordFile by the worker when it sends, as is CAFile.
type NotifyTarget struct {
	Name    string `json:"name"`
	Cluster string `json:"cluster,omitempty"` // empty: every cluster
	Kind    string `json:"kind"`
	URL     string `json:"url,omitempty"` // webhook
	// SMTP is host:port of the mail server; STARTTLS is used when it
	// offers it, and required unless Insecure.
	SMTP         string   `json:"smtp,omitempty"`
	From         string   `json:"from,omitempty"`
	To           []string `json:"to,omitempty"`
	User         string   `json:"user,omitempty"`
	PasswordFile string   `json:"password_file,omitempty"`
	Insecure     bool     `json:"insecure,omitempty"`
	// CAFile is a PEM file, on the worker, of the CA certificates the
	// https webhook's or SMTP server's is checked against instead of the
	// system's.
	CAFile string `json:"ca_file,omitempty"`
}

var targetNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// Validate checks a target; errors say how to fix it.
func (t NotifyTarget) Validate() error {
	if !targetNameRE.MatchString(t.Name) {
		return fmt.Errorf("target name %q is not valid: use lower-case letters, digits and dashes, starting with a letter", t.Name)
	}
	if t.Cluster != "" && !nameRE.MatchString(t.Cluster) {
		return fmt.Errorf("cluster name %q is not valid", t.Cluster)
	}
	switch t.Kind {
	case TargetWebhook:
		u, err := url.Parse(t.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("webhook URL %q is not valid: give http(s)://host[:port]/path", t.URL)
		}
		if t.CAFile != "" && u.Scheme != "https" {
			return fmt.Errorf("webhook %s is not https: --ca-file is for https webhooks", t.URL)
		}
	case TargetEmail:
		return t.validateEmail()
	default:
		return fmt.Errorf("target kind %q: give --webhook URL or --email ADDRESS", t.Kind)
	}
	return nil
}

func (t NotifyTarget) validateEmail() error {
	if t.SMTP == "" {
		return fmt.Errorf("e-mail target %s needs --smtp host:port", t.Name)
	}
	if len(t.To) == 0 {
		return fmt.Errorf("e-mail target %s needs at least one --email address", t.Name)
	}
	for _, a := range append([]string{t.From}, t.To...) {
		if _, err := mail.ParseAddress(a); err != nil {
			return fmt.Errorf("e-mail address %q is not valid: %v", a, err)
		}
	}
	if (t.User == "") != (t.PasswordFile == "") {
		return fmt.Errorf("e-mail target %s: give --smtp-user and --smtp-password-file together", t.Name)
	}
	return nil
}

// Covers reports whether the target gets alerts of a cluster.
func (t NotifyTarget) Covers(clusterName string) bool {
	return t.Cluster == "" || t.Cluster == clusterName
}

// DeliverInput is an alert to deliver: to every target that covers its
// cluster, or to the one named Only. Attempts bounds the tries (0: until
// it is delivered, for a day).
type DeliverInput struct {
	Alert    Alert  `json:"alert"`
	Only     string `json:"only,omitempty"`
	Place    string `json:"place,omitempty"`
	Attempts int32  `json:"attempts,omitempty"`
}

// Delivered says which targets an alert reached.
type Delivered struct {
	Targets []string `json:"targets"`
}
