package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/internal/dockertest"
	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/worker"
)

// TestPlacesRouteActivities: two workers at two places (their own task
// queues); a cluster created at one has every step run by that place's
// worker, from provisioning to release, and none by the other.
func TestPlacesRouteActivities(t *testing.T) {
	p := dockertest.Provider(t)
	s := startServer(t)
	s.p, s.image = p, dockertest.NodeImage(t, p.Client)
	for _, place := range []string{"east", "west"} {
		s.startWorkersAt(place, providers.Registry{"docker": p})
	}
	ctx := context.Background()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := poll.Until(wctx, 200*time.Millisecond, func(ctx context.Context) (bool, error) { return s.herd.Served(ctx, "west"), nil }); err != nil {
		t.Fatalf("the west worker never polled its queue: %v", err)
	}
	if s.herd.Served(ctx, "north") {
		t.Fatal("place north is served, though no worker is there")
	}
	spec := s.spec("placed", 3)
	spec.Place = "west"
	if _, err := s.provision(spec); err != nil {
		t.Fatal(err)
	}
	s.checkSize("placed", 3)
	if _, err := s.herd.Terminate(ctx, "placed", cluster.ReleaseInput{}); err != nil {
		t.Fatal(err)
	}
	if left := s.leftovers("placed"); left != "" {
		t.Fatalf("terminate left %s", left)
	}
	s.recordHistory(cluster.WorkflowID("placed"), "placed.json")
	ran := s.activityWorkers(cluster.WorkflowID("placed"))
	if len(ran) < 8 {
		t.Fatalf("only %d activities ran: %v", len(ran), ran)
	}
	for _, who := range ran {
		if !strings.HasSuffix(who, "@herd@west") {
			t.Errorf("an activity of a cluster at west ran on %s", who)
		}
	}
	bad := s.spec("placed", 3)
	bad.Place = "Not A Place"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "--place") {
		t.Errorf("bad place: %v", err)
	}
}

// startWorkersAt runs a worker process's workers at a place, in process.
func (s *stack) startWorkersAt(place string, reg providers.Registry) {
	acts := &activities.Activities{Providers: reg, Master: s.master, Temporal: s.c, PollInterval: 300 * time.Millisecond}
	for _, w := range worker.Workers(s.c, acts, place, "") {
		if err := w.Start(); err != nil {
			s.t.Fatal(err)
		}
		s.t.Cleanup(w.Stop)
	}
}

// activityWorkers is the identity of the worker that ran each activity of
// a workflow, in order.
func (s *stack) activityWorkers(id string) []string {
	var who []string
	for _, e := range s.history(id).GetEvents() {
		if e.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED {
			who = append(who, e.GetActivityTaskStartedEventAttributes().GetIdentity())
		}
	}
	return who
}
