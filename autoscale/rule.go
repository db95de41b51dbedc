// Package autoscale is herd's autoscaler, as Cloudbreak's Periscope was:
// alerts on YARN metrics read through Ambari, each tied to a scaling
// action, inside a host group's bounds, with a cooldown between actions.
// It is plain data and a deterministic evaluation: the autoscale workflow
// runs it, the CLI parses and shows it.
package autoscale

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Metric names: Ambari's metrics/yarn/Queue/root of the resource manager.
var Metrics = []string{"AppsPending", "AppsRunning", "PendingContainers", "AllocatedContainers", "AllocatedMB", "AvailableMB"}

// Rule is an alert and its action: when Metric Op Threshold has held For
// a while, scale the host group by Action.
type Rule struct {
	Metric    string        `json:"metric"`
	Op        string        `json:"op"`
	Threshold float64       `json:"threshold"`
	Percent   bool          `json:"percent,omitempty"` // of the cluster's YARN memory (AllocatedMB + AvailableMB)
	For       time.Duration `json:"for"`
	Action    Action        `json:"action"`
}

// Action adds (+N, +N%), removes (-N, -N%) or sets (=N) nodes.
type Action struct {
	Kind    string `json:"kind"` // add, remove, set
	Count   int    `json:"count"`
	Percent bool   `json:"percent,omitempty"`
}

var ruleRE = regexp.MustCompile(`^\s*([A-Za-z]+)\s*(>=|<=|>|<)\s*([0-9.]+)(%?)\s*(?:for\s+(\S+))?\s*:\s*([+=-])\s*([0-9]+)(%?)\s*$`)

// ParseRule reads "METRIC OP THRESHOLD[%] [for DURATION]: ACTION", e.g.
// "PendingContainers > 0 for 1m: +2", "AvailableMB > 75% for 10m: -1",
// "AppsPending >= 5: =10", "PendingContainers > 10 for 2m: +50%".
func ParseRule(s string) (Rule, error) {
	m := ruleRE.FindStringSubmatch(s)
	if m == nil {
		return Rule{}, fmt.Errorf("rule %q: write METRIC OP THRESHOLD[%%] [for DURATION]: +N|-N|=N|+N%%|-N%%, e.g. \"PendingContainers > 0 for 1m: +2\"", s)
	}
	r := Rule{Metric: m[1], Op: m[2], Percent: m[4] == "%"}
	if !known(r.Metric) {
		return Rule{}, fmt.Errorf("rule %q: unknown metric %s: use one of %s", s, r.Metric, strings.Join(Metrics, ", "))
	}
	r.Threshold, _ = strconv.ParseFloat(m[3], 64)
	if r.Percent && !strings.HasSuffix(r.Metric, "MB") {
		return Rule{}, fmt.Errorf("rule %q: a percentage applies to AllocatedMB or AvailableMB (of the cluster's YARN memory)", s)
	}
	if r.Percent && r.Threshold > 100 {
		return Rule{}, fmt.Errorf("rule %q: a percentage is at most 100", s)
	}
	if m[5] != "" {
		d, err := time.ParseDuration(m[5])
		if err != nil || d < 0 || d > 24*time.Hour {
			return Rule{}, fmt.Errorf("rule %q: %q is not a duration from 0s to 24h such as 1m", s, m[5])
		}
		r.For = d
	}
	n, _ := strconv.Atoi(m[7])
	r.Action = Action{Kind: map[string]string{"+": "add", "-": "remove", "=": "set"}[m[6]], Count: n, Percent: m[8] == "%"}
	if r.Action.Kind == "set" && r.Action.Percent {
		return Rule{}, fmt.Errorf("rule %q: =N sets a node count, not a percentage", s)
	}
	if r.Action.Kind != "set" && n == 0 {
		return Rule{}, fmt.Errorf("rule %q: add or remove at least one node", s)
	}
	return r, nil
}

func known(metric string) bool {
	for _, m := range Metrics {
		if m == metric {
			return true
		}
	}
	return false
}

// String is the rule as ParseRule reads it.
func (r Rule) String() string {
	s := fmt.Sprintf("%s %s %s", r.Metric, r.Op, strconv.FormatFloat(r.Threshold, 'f', -1, 64))
	if r.Percent {
		s += "%"
	}
	if r.For > 0 {
		s += " for " + r.For.String()
	}
	return s + ": " + r.Action.String()
}

func (a Action) String() string {
	sign := map[string]string{"add": "+", "remove": "-", "set": "="}[a.Kind]
	s := sign + strconv.Itoa(a.Count)
	if a.Percent {
		s += "%"
	}
	return s
}

// target is the node count the action asks for from size; a percentage
// moves at least one node.
func (a Action) target(size int) int {
	n := a.Count
	if a.Percent {
		n = int(math.Ceil(float64(size) * float64(a.Count) / 100))
		n = max(n, 1)
	}
	switch a.Kind {
	case "add":
		return size + n
	case "remove":
		return size - n
	}
	return a.Count
}

// holds reports whether the rule's condition holds for m.
func (r Rule) holds(m QueueMetrics) bool {
	v := value(m, r.Metric)
	if r.Percent {
		total := float64(m.AllocatedMB + m.AvailableMB)
		if total == 0 {
			return false
		}
		v = v / total * 100
	}
	switch r.Op {
	case ">":
		return v > r.Threshold
	case ">=":
		return v >= r.Threshold
	case "<":
		return v < r.Threshold
	}
	return v <= r.Threshold
}
