package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// spotEvery is how often a spot node reads its interruption notice: AWS
// gives two minutes and suggests every five seconds.
const spotEvery = 5 * time.Second

// spotWatch reads a spot instance's interruption notice from the instance
// metadata service (IMDSv2) and, once one comes, tells it with tell (the
// node's Serf tag), so that herd replaces the node before it goes.
type spotWatch struct {
	imds  *imds.Client
	every time.Duration
	tell  func(notice string) error
	log   *slog.Logger
}

func newSpotWatch(endpoint string, tell func(string) error, log *slog.Logger) *spotWatch {
	return &spotWatch{imds: imds.New(imds.Options{Endpoint: endpoint}), every: spotEvery, tell: tell, log: log}
}

// run reads the notice until one comes and is told, or stop closes.
func (w *spotWatch) run(stop <-chan struct{}) {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), w.every)
		notice, err := w.notice(ctx)
		cancel()
		switch {
		case err != nil:
			w.log.Debug("read the spot interruption notice", "err", err)
		case notice != "":
			if err := w.tell(notice); err != nil {
				w.log.Warn("tell the spot interruption notice", "notice", notice, "err", err)
				break
			}
			w.log.Warn("spot interruption notice: herd replaces this node", "notice", notice)
			return
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// notice is the pending interruption ("terminate 2026-12-01T21:30:00Z"),
// or "" when there is none (the metadata service answers 404).
func (w *spotWatch) notice(ctx context.Context) (string, error) {
	out, err := w.imds.GetMetadata(ctx, &imds.GetMetadataInput{Path: "spot/instance-action"})
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer out.Content.Close()
	var action struct{ Action, Time string }
	if err := json.NewDecoder(out.Content).Decode(&action); err != nil || action.Action == "" {
		return "", fmt.Errorf("spot instance-action is not {action, time}: %v", err)
	}
	return action.Action + " " + action.Time, nil
}
