package bench

import (
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func scheduled(id int64, at time.Time, name string) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{EventId: id, EventTime: timestamppb.New(at),
		Attributes: &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
			ActivityType: &commonpb.ActivityType{Name: name}}}}
}

func finished(id, sched int64, at time.Time) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{EventId: id, EventTime: timestamppb.New(at),
		Attributes: &historypb.HistoryEvent_ActivityTaskCompletedEventAttributes{ActivityTaskCompletedEventAttributes: &historypb.ActivityTaskCompletedEventAttributes{
			ScheduledEventId: sched}}}
}

// Batches of agents count as the agents' step, and a step still running
// (the health watch) has no time rather than one from the zero time.
func TestStepTimesNameBatchesAndSkipRunningSteps(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	h := &historypb.History{Events: []*historypb.HistoryEvent{
		scheduled(1, t0, "StartAgentContainers"),
		scheduled(2, t0.Add(time.Second), "StartAgentContainers"),
		finished(3, 1, t0.Add(3*time.Second)),
		finished(4, 2, t0.Add(5*time.Second)),
		scheduled(5, t0.Add(6*time.Second), "WatchHealth"),
	}}
	got := stepTimes(h)
	if got["StartAgentContainer"] != 5 || len(got) != 1 {
		t.Fatalf("step times: %v, want StartAgentContainer 5 s alone", got)
	}
}
