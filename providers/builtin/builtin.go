// Package builtin lists the providers herd ships: their descriptions, for
// checking a spec where no provider runs (the CLI), and the providers
// themselves, for a worker.
package builtin

import (
	"log/slog"

	"github.com/herdhq/herd/providers"
	"github.com/herdhq/herd/providers/aws"
	"github.com/herdhq/herd/providers/docker"
	"github.com/herdhq/herd/secrets"
)

// Schemas describes every built-in provider.
func Schemas() providers.Schemas { return providers.Schemas{docker.Schema, aws.Schema} }

// New returns every built-in provider: the local Docker engine (named by
// DOCKER_HOST, or the local socket) and EC2 (credentials from the AWS
// SDK's default chain).
func New(master secrets.Master, log *slog.Logger) (providers.Registry, error) {
	dp, err := docker.New(log)
	if err != nil {
		return nil, err
	}
	return providers.Registry{docker.Schema.Name: dp, aws.Schema.Name: aws.New(master, log)}, nil
}
