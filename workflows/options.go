package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// shortStep is for steps that do one thing: a few retries with backoff,
// and a heartbeat (the worker's interceptor sends it) so that a step lost
// with its worker runs again within seconds, not at its timeout.
func shortStep(timeout time.Duration) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		HeartbeatTimeout:    stepHeartbeat,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second, MaximumAttempts: 8,
		},
	}
}

// waitStep is for steps that wait on the cluster (and tell their progress
// in their heartbeats): fewer tries, each of which may last long.
func waitStep(timeout time.Duration) workflow.ActivityOptions {
	ao := shortStep(timeout)
	ao.RetryPolicy.MaximumAttempts = 5
	return ao
}

// releaseStep retries hard: leaving resources behind is worse than waiting.
func releaseStep() workflow.ActivityOptions {
	ao := shortStep(2 * time.Minute)
	ao.RetryPolicy.MaximumAttempts = 10
	return ao
}

// stepHeartbeat is the heartbeat timeout of every step: how soon the loss
// of a worker in the middle of a step is noticed.
const stepHeartbeat = 5 * time.Second
