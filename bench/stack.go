// Package bench measures herd: provisioning time per step against the 2014
// way done by hand, concurrency, and the workflow's own cost at 1,000 nodes.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/herdhq/herd/activities"
	"github.com/herdhq/herd/codec"
	"github.com/herdhq/herd/devserver"
	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/docker"
	"github.com/herdhq/herd/secrets"
	"github.com/herdhq/herd/worker"
	"github.com/herdhq/herd/workflows"
)

// FakeQueue is the task queue of the worker whose activities are fakes.
const FakeQueue = "herd-fake"

// Stack is the embedded Temporal server, a real worker and a fake one.
type Stack struct {
	srv     *devserver.Server
	Client  client.Client
	Herd    *herdclient.Client
	Docker  *docker.Provider
	Master  secrets.Master
	workers []sdkworker.Worker
}

// Start brings the stack up; pollInterval is how often activities look again.
func Start(pollInterval time.Duration) (*Stack, error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := devserver.Start(devserver.Options{UIPort: -1})
	if err != nil {
		return nil, err
	}
	s := &Stack{srv: srv}
	s.Master, _ = secrets.Generate()
	cd, err := codec.New(secrets.KeyFile{Master: s.Master})
	if err != nil {
		srv.Stop()
		return nil, err
	}
	dc := cd.DataConverter()
	if s.Client, err = herdclient.Dial(herdclient.Options{Address: srv.Address, Namespace: "default", Logger: quiet, DataConverter: dc}); err != nil {
		srv.Stop()
		return nil, err
	}
	s.Herd = herdclient.New(s.Client, dc)
	if s.Docker, err = docker.New(quiet); err != nil {
		s.Stop()
		return nil, err
	}
	acts := &activities.Activities{Providers: providers.Registry{"docker": s.Docker}, Master: s.Master, Temporal: s.Client, PollInterval: pollInterval}
	fake := sdkworker.New(s.Client, FakeQueue, sdkworker.Options{})
	fake.RegisterWorkflow(workflows.ClusterWorkflow)
	fake.RegisterActivity(&fakeActivities{})
	s.workers = []sdkworker.Worker{worker.New(s.Client, acts, ""), fake}
	for _, w := range s.workers {
		if err := w.Start(); err != nil {
			s.Stop()
			return nil, fmt.Errorf("start worker: %w", err)
		}
	}
	return s, nil
}

// Stop stops the workers and the server.
func (s *Stack) Stop() {
	for _, w := range s.workers {
		w.Stop()
	}
	if s.Client != nil {
		s.Client.Close()
	}
	s.srv.Stop()
}

func (s *Stack) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 15*time.Minute)
}
