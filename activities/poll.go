package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/poll"
)

// PollInput names a request to follow.
type PollInput struct {
	Cluster   string `json:"cluster"`
	AmbariURL string `json:"ambari_url"`
	RequestID int64  `json:"request_id"`
	// Nodes, when set, must register with Ambari first, within
	// RegistrationWait (their request was submitted before they started).
	Nodes []cluster.Node `json:"nodes,omitempty"`
}

// RegistrationWait is how long agents are given to register with Ambari.
const RegistrationWait = 5 * time.Minute

// RequestOutcome is how a request ended.
type RequestOutcome struct {
	Status          string  `json:"status"`
	ProgressPercent float64 `json:"progress_percent"`
	Tasks           int     `json:"tasks"`
}

// PollAmbariRequest follows a request until it is final, heartbeating its
// progress_percent. FAILED, ABORTED and TIMEDOUT become a non-retryable
// error naming the failed tasks and hosts.
func (a *Activities) PollAmbariRequest(ctx context.Context, in PollInput) (RequestOutcome, error) {
	cl := a.ambariClient(in.Cluster, in.AmbariURL)
	var out RequestOutcome
	if len(in.Nodes) > 0 {
		if err := a.waitForHosts(ctx, cl, in.Nodes, RegistrationWait); err != nil {
			return out, err
		}
	}
	err := poll.Until(ctx, a.interval(), func(ctx context.Context) (bool, error) {
		return requestDone(ctx, cl, in.Cluster, in.RequestID, &out)
	})
	return out, err
}

// requestDone looks at a request once, heartbeating its progress: done
// when COMPLETED, a non-retryable error naming the failed tasks and hosts
// when it ended otherwise.
func requestDone(ctx context.Context, cl *ambari.Client, clusterName string, id int64, out *RequestOutcome) (bool, error) {
	req, err := cl.Request(ctx, clusterName, id)
	if err != nil {
		return false, ambariErr(err, "poll ambari request %d", id)
	}
	r := req.Requests
	heartbeat(ctx, cluster.Progress{Status: r.RequestStatus, Percent: r.ProgressPercent, Done: r.CompletedTaskCount, Total: r.TaskCount})
	*out = RequestOutcome{Status: r.RequestStatus, ProgressPercent: r.ProgressPercent, Tasks: r.TaskCount}
	if ambari.IsFinal(r.RequestStatus) && r.RequestStatus != ambari.StatusCompleted {
		return false, temporal.NewNonRetryableApplicationError(failureMessage(req), ErrAmbariRequestFailed, nil, *out)
	}
	return r.RequestStatus == ambari.StatusCompleted, nil
}

func failureMessage(req *ambari.Request) string {
	var failed []string
	for _, t := range req.Tasks {
		switch t.Tasks.Status {
		case ambari.StatusFailed, ambari.StatusTimedOut:
			failed = append(failed, fmt.Sprintf("%s %s on %s", t.Tasks.Command, t.Tasks.Role, t.Tasks.HostName))
		}
	}
	msg := fmt.Sprintf("ambari request %d ended %s", req.Requests.ID, req.Requests.RequestStatus)
	if len(failed) > 0 {
		msg += ": failed tasks: " + strings.Join(failed, "; ")
	}
	if req.Requests.AbortReason != "" {
		msg += " (abort reason: " + req.Requests.AbortReason + ")"
	}
	return msg
}
