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
	"strconv"
	"strings"
	"time"

	"github.com/herdhq/herd/bench"
	"github.com/herdhq/herd/cluster"
)

func main() {
	sizes := flag.String("sizes", "3,10,30", "cluster sizes")
	runs := flag.Int("runs", 3, "runs per size (herd and baseline each)")
	image := flag.String("image", cluster.DefaultImage, "node image (make image)")
	script := flag.String("baseline", "bench/baseline.sh", "the 2014-way script")
	conc := flag.Int("concurrent", 10, "clusters of 3 nodes provisioned at once (0 = skip)")
	large := flag.Int("large", 1000, "nodes of the fake-activity provisioning (0 = skip)")
	repairs := flag.Int("repairs", 3, "kills of an agent timed to a healthy cluster again (0 = skip)")
	out := flag.String("out", "bench/results", "results folder")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	log.SetOutput(io.Discard) // the serf RPC client logs closed streams with the standard logger
	if err := run(*sizes, *runs, *image, *script, *conc, *large, *repairs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "herd-bench:", err)
		os.Exit(1)
	}
}

func run(sizes string, runs int, image, script string, conc, large, repairs int, out string) error {
	s, err := bench.Start(200 * time.Millisecond) // the baseline script polls every 0.2 s too
	if err != nil {
		return err
	}
	defer s.Stop()
	rep := &bench.Report{When: time.Now().UTC(), Machine: bench.Machine()}
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("--sizes %q: %w", sizes, err)
		}
		size := bench.Size{Nodes: n}
		for i := 0; i < runs; i++ {
			slog.Info("provisioning", "nodes", n, "run", i+1, "by", "herd")
			r, err := s.Provision(fmt.Sprintf("bench%d", n), image, n)
			if err != nil {
				return err
			}
			size.Herd = append(size.Herd, r)
			slog.Info("provisioning", "nodes", n, "run", i+1, "by", "baseline")
			b, err := bench.Baseline(script, fmt.Sprintf("base%d", n), image, n)
			if err != nil {
				return err
			}
			size.Baseline = append(size.Baseline, b)
		}
		size.Finish()
		rep.Sizes = append(rep.Sizes, size)
	}
	if conc > 0 {
		slog.Info("provisioning at once", "clusters", conc)
		if rep.Concurrent, err = s.Concurrently(image, conc, 3); err != nil {
			return err
		}
	}
	if repairs > 0 {
		slog.Info("timing self-healing", "kills", repairs)
		if rep.Repair, err = s.MeasureRepair(image, repairs, 5*time.Second); err != nil {
			return err
		}
	}
	if large > 0 {
		slog.Info("provisioning on fake activities", "nodes", large)
		l, err := s.ProvisionFake("large", large)
		if err != nil {
			return err
		}
		rep.Large = &l
	}
	return write(rep, out)
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
	f, err := os.Create(filepath.Join(dir, "latest.txt"))
	if err != nil {
		return err
	}
	defer f.Close()
	rep.Markdown(f)
	rep.Markdown(os.Stdout)
	return nil
}
