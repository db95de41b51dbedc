// Package worker runs herd's Temporal worker: the cluster workflows and
// their activities on the "herd" task queue, against any Temporal cluster.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/cluster"
	"github.com/herdhq/herd/codec"
	"github.com/herdhq/herd/providers/builtin"
	"github.com/herdhq/herd/secrets"
	"github.com/herdhq/herd/workflows"
)

// New returns a worker with every herd workflow and activity registered on
// the "herd" task queue, its activities heartbeated by
// activities.Interceptor; killAfter is for the chaos tests only (see
// there), empty otherwise.
func New(c client.Client, acts *activities.Activities, killAfter string) worker.Worker {
	w := worker.New(c, cluster.TaskQueue, worker.Options{
		Identity:     identity(cluster.TaskQueue),
		Interceptors: []interceptor.WorkerInterceptor{activities.Interceptor(killAfter, logger(acts))},
	})
	registerWorkflows(w)
	w.RegisterActivity(acts)
	return w
}

// Workers returns the workers of a worker process. With no place, it is
// New's one worker. At a place, one runs workflows on the "herd" task
// queue (no activities of clusters elsewhere) and one runs the activities
// of the place's clusters on the place's queue (cluster.ActivityQueue).
func Workers(c client.Client, acts *activities.Activities, place, killAfter string) []worker.Worker {
	if place == "" {
		return []worker.Worker{New(c, acts, killAfter)}
	}
	wf := worker.New(c, cluster.TaskQueue, worker.Options{Identity: identity(cluster.TaskQueue), LocalActivityWorkerOnly: true})
	registerWorkflows(wf)
	queue := cluster.ActivityQueue(place)
	act := worker.New(c, queue, worker.Options{
		Identity: identity(queue), DisableWorkflowWorker: true,
		Interceptors: []interceptor.WorkerInterceptor{activities.Interceptor(killAfter, logger(acts))},
	})
	act.RegisterActivity(acts)
	return []worker.Worker{wf, act}
}

func registerWorkflows(w worker.Worker) {
	w.RegisterWorkflow(workflows.ClusterWorkflow)
	w.RegisterWorkflow(workflows.TerminateCluster)
	w.RegisterWorkflow(workflows.ScaleWorkflow)
	w.RegisterWorkflow(workflows.AutoscaleWorkflow)
	w.RegisterWorkflow(workflows.NotifyWorkflow)
	w.RegisterWorkflow(workflows.DeliverAlertWorkflow)
}

// identity names a worker in histories (who ran each step): process, host
// and task queue.
func identity(queue string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%d@%s@%s", os.Getpid(), host, queue)
}

func logger(acts *activities.Activities) *slog.Logger {
	if acts.Logger != nil {
		return acts.Logger
	}
	return slog.Default()
}

// Run runs a worker process's workers (see Workers) until ctx ends, then
// stops them gracefully (running activities get the worker's stop timeout
// to finish).
func Run(ctx context.Context, c client.Client, acts *activities.Activities, place, killAfter string) error {
	ws := Workers(c, acts, place, killAfter)
	for i, w := range ws {
		if err := w.Start(); err != nil {
			for _, started := range ws[:i] {
				started.Stop()
			}
			return fmt.Errorf("start worker: %w", err)
		}
	}
	<-ctx.Done()
	for _, w := range ws {
		w.Stop()
	}
	return nil
}

// DefaultActivities builds the activities with the built-in providers, the
// master key at secretFile (created when missing) and the Temporal client
// scheduled scaling sends updates with.
func DefaultActivities(c client.Client, secretFile string, log *slog.Logger) (*activities.Activities, error) {
	master, err := secrets.LoadOrCreate(secretFile)
	if err != nil {
		return nil, err
	}
	reg, err := builtin.New(master, log)
	if err != nil {
		return nil, err
	}
	return &activities.Activities{Providers: reg, Master: master, Temporal: c, Logger: log}, nil
}

// DefaultSecretFile is where the master key lives unless told otherwise.
func DefaultSecretFile() string {
	if v := os.Getenv("HERD_SECRET_FILE"); v != "" {
		return v
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".herd", "master.key")
}

// Codec is the data converter a worker (and its clients) dial with: the
// payloads encrypted with keys derived from the master key at secretFile,
// created when missing.
func Codec(secretFile string) (converter.DataConverter, error) {
	if _, err := secrets.LoadOrCreate(secretFile); err != nil {
		return nil, err
	}
	cd, err := codec.Load(secretFile)
	if err != nil {
		return nil, err
	}
	return cd.DataConverter(), nil
}
