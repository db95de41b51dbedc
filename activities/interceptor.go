package activities

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"

	"github.com/herdhq/herd/cluster"
)

// Interceptor is the worker interceptor herd's activities run under. It
// heartbeats every activity that has a heartbeat timeout, at a third of it,
// with the progress the activity last reported: a worker that dies is then
// noticed within the timeout and the step runs again elsewhere, even when
// the step itself reports nothing.
//
// killAfter names an activity after whose first attempt's side effects the
// worker kills itself (SIGKILL), its result lost: the chaos tests' kill -9
// at a chosen step. Empty (always, outside those tests) kills nothing.
func Interceptor(killAfter string, log *slog.Logger) interceptor.WorkerInterceptor {
	return &workerInterceptor{killAfter: killAfter, log: log}
}

type workerInterceptor struct {
	interceptor.WorkerInterceptorBase
	killAfter string
	log       *slog.Logger
}

func (w *workerInterceptor) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &activityInterceptor{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, root: w}
}

type activityInterceptor struct {
	interceptor.ActivityInboundInterceptorBase
	root *workerInterceptor
}

func (a *activityInterceptor) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	info := activity.GetInfo(ctx)
	beat := &lastBeat{}
	ctx = context.WithValue(ctx, lastBeatKey{}, beat)
	if info.HeartbeatTimeout > 0 {
		done := make(chan struct{})
		defer close(done)
		go beat.keep(ctx, info.HeartbeatTimeout/3, done)
	}
	res, err := a.Next.ExecuteActivity(ctx, in)
	if a.root.killAfter != "" && info.ActivityType.Name == a.root.killAfter && info.Attempt == 1 {
		a.root.log.Warn("chaos: killing this worker after the step's side effects", "activity", info.ActivityType.Name)
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	return res, err
}

type lastBeatKey struct{}

// lastBeat is the progress an activity last reported.
type lastBeat struct {
	mu   sync.Mutex
	last *cluster.Progress
}

func (b *lastBeat) set(p cluster.Progress) {
	b.mu.Lock()
	b.last = &p
	b.mu.Unlock()
}

// keep heartbeats every interval until done.
func (b *lastBeat) keep(ctx context.Context, every time.Duration, done <-chan struct{}) {
	t := time.NewTicker(max(every, 100*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			b.mu.Lock()
			last := b.last
			b.mu.Unlock()
			if last != nil {
				activity.RecordHeartbeat(ctx, *last)
			} else {
				activity.RecordHeartbeat(ctx)
			}
		}
	}
}
