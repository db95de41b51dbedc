package activities

import (
	"context"
	"errors"
	"sync"

	"github.com/herdhq/herd/cluster"
)

// StartAgentsInput is a batch of agents started by one activity: large
// clusters start their agents in batches, so that their history holds a
// few dozen activities rather than one per node.
type StartAgentsInput struct {
	Target    cluster.Target     `json:"target"`
	Nodes     []cluster.Node     `json:"nodes"`
	Instances []cluster.Instance `json:"instances,omitempty"`
	JoinIP    string             `json:"join_ip"`
	NodeEnv   map[string]string  `json:"node_env,omitempty"`
}

// AgentStarted is one agent of a batch: its node's info, or why it cannot
// start (an error that retrying will not mend).
type AgentStarted struct {
	Info  cluster.NodeInfo `json:"info"`
	Error string           `json:"error,omitempty"`
}

// StartAgentContainers starts a batch of agents at once, each as
// StartAgentContainer would. An error that may pass fails the batch, so
// that Temporal retries it (the agents already started are adopted, not
// made twice); one that will not is reported for its node alone.
func (a *Activities) StartAgentContainers(ctx context.Context, in StartAgentsInput) ([]AgentStarted, error) {
	if in.JoinIP == "" {
		return nil, permanent("BadInput", "agents of %s need a join IP", in.Target.Cluster)
	}
	out := make([]AgentStarted, len(in.Nodes))
	errs := make([]error, len(in.Nodes))
	var wg sync.WaitGroup
	for i, n := range in.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst := cluster.Instance{}
			if i < len(in.Instances) {
				inst = in.Instances[i]
			}
			info, err := a.startNode(ctx, StartNodeInput{Target: in.Target, Node: n, Instance: inst, JoinIP: in.JoinIP, NodeEnv: in.NodeEnv})
			switch {
			case err == nil:
				out[i].Info = info
			case isPermanent(err):
				out[i] = AgentStarted{Info: cluster.NodeInfo{Node: n}, Error: err.Error()}
			default:
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
