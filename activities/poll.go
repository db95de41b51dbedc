package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/herdhq/herd/ambari"
)

// PollInput names a request to follow.
type PollInput struct {
	Cluster   string `json:"cluster"`
	AmbariURL string `json:"ambari_url"`
	RequestID int64  `json:"request_id"`
}

// RequestOutcome is how a request ended.
type RequestOutcome struct {
	Status          string  `json:"status"`
	ProgressPercent float64 `json:"progress_percent"`
	Tasks           int     `json:"tasks"`
}

// Progress is the heartbeat detail of PollAmbariRequest.
type Progress struct {
	Status          string  `json:"status"`
	ProgressPercent float64 `json:"progress_percent"`
	Completed       int     `json:"completed"`
	Tasks           int     `json:"tasks"`
}

// PollAmbariRequest follows a request until it is final, heartbeating its
// progress_percent. FAILED, ABORTED and TIMEDOUT become a non-retryable
// error naming the failed tasks and hosts.
func (a *Activities) PollAmbariRequest(ctx context.Context, in PollInput) (RequestOutcome, error) {
	cl := a.ambariClient(in.Cluster, in.AmbariURL)
	for {
		req, err := cl.Request(ctx, in.Cluster, in.RequestID)
		if err != nil {
			return RequestOutcome{}, fmt.Errorf("poll ambari request %d: %w", in.RequestID, err)
		}
		r := req.Requests
		activity.RecordHeartbeat(ctx, Progress{Status: r.RequestStatus, ProgressPercent: r.ProgressPercent, Completed: r.CompletedTaskCount, Tasks: r.TaskCount})
		out := RequestOutcome{Status: r.RequestStatus, ProgressPercent: r.ProgressPercent, Tasks: r.TaskCount}
		if r.RequestStatus == ambari.StatusCompleted {
			return out, nil
		}
		if ambari.IsFinal(r.RequestStatus) {
			return out, temporal.NewNonRetryableApplicationError(failureMessage(req), ErrAmbariRequestFailed, nil, out)
		}
		if err := sleep(ctx, a.interval()); err != nil {
			return out, err
		}
	}
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

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
