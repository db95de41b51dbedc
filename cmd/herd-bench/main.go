// Command herd-bench measures herd on the local Docker engine (`make bench`):
// provisioning time per step against the 2014 way done by hand, clusters
// provisioned at once, and the workflow's own cost at 1,000 nodes.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/herdhq/herd/bench"
	"github.com/herdhq/herd/cluster"
)

// options are herd-bench's flags.
type options struct {
	sizes, image, script, worker, out, large string
	tag                                      string // this bench's own, in the names of its by-hand and floor networks
	runs, conc, repairs                      int
	idle                                     time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.sizes, "sizes", "3,10,30", "cluster sizes")
	flag.IntVar(&o.runs, "runs", 3, "runs per size (herd, by hand and the floor each), and of the clusters at once with their floor")
	flag.StringVar(&o.image, "image", cluster.DefaultImage, "node image (make image)")
	flag.StringVar(&o.script, "baseline", "bench/baseline.sh", "the 2014-way script")
	flag.StringVar(&o.worker, "worker", "bin/slim/herd", "the slim herd binary (make cli): the worker process of the concurrent run")
	flag.IntVar(&o.conc, "concurrent", 20, "clusters of 3 nodes provisioned at once (0 = skip)")
	flag.StringVar(&o.large, "large", "1000,10000", "sizes of the fake-activity provisionings (empty = skip)")
	flag.IntVar(&o.repairs, "repairs", 3, "kills of an agent timed to a healthy cluster again (0 = skip)")
	flag.DurationVar(&o.idle, "idle", 20*time.Second, "how long ready nodes are watched at rest (0 = skip)")
	flag.StringVar(&o.out, "out", "bench/results", "results folder")
	from := flag.String("from", "", "write the text and plot of a results JSON file instead of measuring")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of this process (the embedded Temporal server, the worker, the measuring) to this file")
	flag.Parse()
	o.tag = strconv.FormatInt(time.Now().Unix()%(36*36*36), 36)
	if *from != "" {
		if err := render(*from, o.out); err != nil {
			fmt.Fprintln(os.Stderr, "herd-bench:", err)
			os.Exit(1)
		}
		return
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	log.SetOutput(io.Discard) // the serf RPC client logs closed streams with the standard logger
	if *cpuProfile != "" {
		stop, err := profileCPU(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "herd-bench:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "herd-bench:", err)
		os.Exit(1) // a failed run's profile is not written
	}
}

// profileCPU starts a CPU profile written to path; stop ends it.
func profileCPU(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// pollEvery is how often herd's waits look again in the bench: the
// by-hand script polls every 0.2 s too.
const pollEvery = 200 * time.Millisecond

func run(o options) error {
	s, err := bench.Start(pollEvery)
	if err != nil {
		return err
	}
	defer s.Stop()
	rep := &bench.Report{When: time.Now().UTC(), Machine: bench.Machine()}
	for _, f := range strings.Split(o.sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("--sizes %q: %w", o.sizes, err)
		}
		size, err := measureSize(s, o, n)
		if err != nil {
			return err
		}
		rep.Sizes = append(rep.Sizes, size)
	}
	if o.idle > 0 {
		slog.Info("watching ready nodes at rest", "for", o.idle)
		if rep.Idle, err = s.IdleCost("idle", o.image, 3, o.idle); err != nil {
			return err
		}
	}
	for f := range strings.SplitSeq(o.large, ",") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("--large %q: %w", o.large, err)
		}
		slog.Info("provisioning on fake activities", "nodes", n)
		rep.Large = append(rep.Large, s.ProvisionFake(fmt.Sprintf("large%d", n), n))
	}
	if err := external(s, o, rep); err != nil {
		return err
	}
	return write(rep, o.out)
}

// measureSize provisions clusters of n nodes, runs times each, by herd, by
// hand and the floor, one after the other.
func measureSize(s *bench.Stack, o options, n int) (bench.Size, error) {
	size := bench.Size{Nodes: n}
	for i := range o.runs {
		slog.Info("provisioning", "nodes", n, "run", i+1)
		r, err := s.Provision(fmt.Sprintf("bench%d-%d-%s", n, i+1, o.tag), o.image, n)
		if err != nil {
			slog.Error("provisioning failed", "nodes", n, "err", err)
			size.Error = err.Error()
			return size, nil
		}
		// Each run its own names, and each bench its own tag: a network the
		// engine failed to remove (a stale endpoint, seen with Docker 20.10)
		// must not stop the next run, nor the next bench. herd's runs too:
		// a cluster whose release failed still exists, and its name is taken.
		b, err := bench.Baseline(o.script, fmt.Sprintf("base%d-%d-%s", n, i+1, o.tag), o.image, n)
		var f bench.Run
		if err == nil {
			f, err = s.Floor(fmt.Sprintf("floor%d-%d-%s", n, i+1, o.tag), o.image, n)
		}
		if err != nil {
			slog.Error("by hand or the floor failed", "nodes", n, "err", err)
			size.Error = err.Error()
			return size, nil
		}
		size.Herd, size.Baseline, size.Floor = append(size.Herd, r), append(size.Baseline, b), append(size.Floor, f)
	}
	size.Finish()
	return size, nil
}

// external runs the phases on a worker process of its own: clusters at
// once (its footprint measured), then self-healing.
func external(s *bench.Stack, o options, rep *bench.Report) error {
	if o.conc == 0 && o.repairs == 0 {
		return nil
	}
	w, err := s.StartWorkerProc(o.worker, pollEvery)
	if err != nil {
		return err
	}
	defer w.Stop()
	if o.conc > 0 {
		slog.Info("provisioning at once", "clusters", o.conc)
		if rep.Concurrent, err = s.Concurrently(w, o.image, o.conc, 3, o.runs); err != nil {
			return err
		}
	}
	if o.repairs > 0 {
		slog.Info("timing self-healing", "kills", o.repairs)
		if rep.Repair, err = s.MeasureRepair(o.image, o.repairs, 5*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// render writes latest.txt and latest.svg of an earlier run's JSON.
func render(file, dir string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var rep bench.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return writeText(&rep, dir)
}

func write(rep *bench.Report, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	stamp := rep.When.Format("20060102T150405Z")
	for _, name := range []string{"results-" + stamp + ".json", "latest.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return writeText(rep, dir)
}

// writeText writes the report's tables and plot.
func writeText(rep *bench.Report, dir string) error {
	f, err := os.Create(filepath.Join(dir, "latest.txt"))
	if err != nil {
		return err
	}
	defer f.Close()
	rep.Markdown(f)
	rep.Markdown(os.Stdout)
	plot, err := os.Create(filepath.Join(dir, "latest.svg"))
	if err != nil {
		return err
	}
	defer plot.Close()
	rep.PlotSVG(plot)
	return nil
}
