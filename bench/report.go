package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

func decodeJSON(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// Stat is the median and spread of a measure.
type Stat struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Summarise computes a Stat.
func Summarise(vals []float64) Stat {
	if len(vals) == 0 {
		return Stat{}
	}
	s := append([]float64(nil), vals...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stat{Median: m, Min: s[0], Max: s[len(s)-1]}
}

// Size is every measure of one cluster size.
type Size struct {
	Nodes        int             `json:"nodes"`
	Herd         []Run           `json:"herd_runs"`
	Baseline     []Run           `json:"baseline_runs"`
	Floor        []Run           `json:"floor_runs"`
	HerdWall     Stat            `json:"herd_wall_s"`
	BaselineWall Stat            `json:"baseline_wall_s"`
	FloorWall    Stat            `json:"floor_wall_s"`
	Ratio        float64         `json:"herd_over_baseline"`
	OverFloor    float64         `json:"herd_over_floor"`
	Steps        map[string]Stat `json:"herd_steps_s"`
	QuorumNotice Stat            `json:"quorum_notice_ms"`
	NodeRSS      Stat            `json:"node_rss_mib"`
	// Error is why a run of this size failed (the size's other runs are
	// then skipped).
	Error string `json:"error,omitempty"`
}

// Concurrent is N clusters provisioned at once by one worker process.
type Concurrent struct {
	Clusters int `json:"clusters"`
	Nodes    int `json:"nodes_each"`
	Runs     int `json:"runs"`
	// WallRuns is, over the runs, the time until a run's last cluster was
	// ready; PerCluster pools every cluster of every run.
	WallRuns   Stat `json:"wall_runs_s"`
	PerCluster Stat `json:"per_cluster_wall_s"`
	// FloorRuns is the engine's time for all their containers at once, and
	// OverFloorRuns each run's ratio of its wall to its own floor.
	FloorRuns     Stat `json:"floor_runs_s"`
	OverFloorRuns Stat `json:"over_floor_runs"`
	// Worker is the footprint of the run whose worker peaked highest.
	Worker Footprint `json:"worker"`
}

// Report is one `make bench`.
type Report struct {
	When       time.Time   `json:"when"`
	Machine    string      `json:"machine"`
	Sizes      []Size      `json:"sizes"`
	Concurrent *Concurrent `json:"concurrent,omitempty"`
	Large      []Large     `json:"large,omitempty"`
	Repair     *Repair     `json:"repair,omitempty"`
	Idle       *Idle       `json:"idle,omitempty"`
}

// Finish computes the summaries of a size.
func (s *Size) Finish() {
	var hw, bw, fw, qn, rss []float64
	steps := map[string][]float64{}
	for _, r := range s.Herd {
		hw, qn, rss = append(hw, r.Wall), append(qn, r.QuorumNotice), append(rss, r.NodeRSSMiB)
		for k, v := range r.Steps {
			steps[k] = append(steps[k], v)
		}
	}
	for _, r := range s.Baseline {
		bw = append(bw, r.Wall)
	}
	for _, r := range s.Floor {
		fw = append(fw, r.Wall)
	}
	s.HerdWall, s.BaselineWall, s.FloorWall = Summarise(hw), Summarise(bw), Summarise(fw)
	s.QuorumNotice, s.NodeRSS = Summarise(qn), Summarise(rss)
	s.Ratio, s.OverFloor = ratio(s.HerdWall.Median, s.BaselineWall.Median), ratio(s.HerdWall.Median, s.FloorWall.Median)
	s.Steps = map[string]Stat{}
	for k, v := range steps {
		s.Steps[k] = Summarise(v)
	}
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Machine describes where the numbers came from.
func Machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				model = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s", model, runtime.NumCPU(), runtime.Version())
}

var stepOrder = []string{"AllocateInstances", "ApplyCloudInit", "StartServerContainer", "StartAgentContainer", "SubmitBlueprint", "WaitForSerfQuorum", "PollAmbariRequest"}

// Markdown writes the report as tables.
func (r *Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "herd benchmark, %s, on %s\n\n", r.When.Format(time.RFC3339), r.Machine)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "nodes\truns\therd wall s (median [min-max])\tby hand wall s\tfloor wall s\therd/by hand\therd/floor\tquorum noticed ms\tnode RSS MiB")
	for _, s := range r.Sizes {
		if s.Error != "" {
			fmt.Fprintf(tw, "%d\tfailed: %s\n", s.Nodes, s.Error)
			continue
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%.2f\t%.2f\t%.0f\t%.1f\n", s.Nodes, len(s.Herd), stat(s.HerdWall), stat(s.BaselineWall), stat(s.FloorWall),
			s.Ratio, s.OverFloor, s.QuorumNotice.Median, s.NodeRSS.Max)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.Debug)
	fmt.Fprint(tw, "herd step (median s)")
	for _, s := range r.Sizes {
		fmt.Fprintf(tw, "\t%d nodes", s.Nodes)
	}
	fmt.Fprintln(tw)
	for _, step := range stepOrder {
		fmt.Fprint(tw, step)
		for _, s := range r.Sizes {
			fmt.Fprintf(tw, "\t%.2f", s.Steps[step].Median)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if c := r.Concurrent; c != nil {
		fmt.Fprintf(w, "\n%d clusters x %d nodes at once, one worker process, %d runs: %s s in all, %s x the floor of %d containers (%s s), per cluster %s s\n",
			c.Clusters, c.Nodes, c.Runs, stat(c.WallRuns), stat2(c.OverFloorRuns), c.Clusters*c.Nodes, stat(c.FloorRuns), stat(c.PerCluster))
		fmt.Fprintf(w, "the worker process alone (slim build, no Temporal server): peak RSS %.1f MiB, %.1f CPU s over %.1f s (%.2f cores)\n",
			c.Worker.PeakRSSMiB, c.Worker.CPUSeconds, c.Worker.Wall, c.Worker.Cores)
	}
	if i := r.Idle; i != nil {
		fmt.Fprintf(w, "a ready node at rest (%d nodes, %.0f s): CPU %s %% of a core, RSS %s MiB\n", i.Nodes, i.Seconds, stat2(i.CPUPct), stat(i.RSSMiB))
	}
	if rp := r.Repair; rp != nil {
		fmt.Fprintf(w, "self-healing, %d kills of an agent of a 3-node cluster, repair after %.0f s: shown failed after %s s, healthy again after %s s\n",
			rp.Runs, rp.RepairAfter, stat(rp.Noticed), stat(rp.Healthy))
	}
	for _, l := range r.Large {
		if l.Error != "" {
			fmt.Fprintf(w, "%d-node provisioning on fake activities: breaks after %.1f s: %s\n", l.Nodes, l.Wall, l.Error)
			continue
		}
		fmt.Fprintf(w, "%d-node provisioning on fake activities: %.1f s, %d history events (%.1f%% of %d), %d bytes (%.1f%% of 50 MiB), largest payload %d bytes (%.0f%% of 2 MiB); continued as new after: %v\n",
			l.Nodes, l.Wall, l.Events, l.EventsPct, HistoryEventLimit, l.HistoryBytes, l.BytesPct, l.LargestPayload, 100*float64(l.LargestPayload)/PayloadLimit, l.ContinuedAsNew)
	}
}

func stat2(s Stat) string { return fmt.Sprintf("%.2f [%.2f-%.2f]", s.Median, s.Min, s.Max) }

func stat(s Stat) string { return fmt.Sprintf("%.1f [%.1f-%.1f]", s.Median, s.Min, s.Max) }
