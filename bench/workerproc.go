package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/herdhq/herd/secrets"
)

// WorkerProc is a herd worker in a process of its own (the slim build),
// against the bench's Temporal server: the worker measured apart from the
// embedded server.
type WorkerProc struct {
	cmd *exec.Cmd
	dir string
}

// Footprint is a worker process's cost over a phase.
type Footprint struct {
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	CPUSeconds float64 `json:"cpu_s"`
	Wall       float64 `json:"wall_s"`
	Cores      float64 `json:"mean_cores"`
}

// StartWorkerProc stops the stack's in-process worker and starts bin
// (`herd worker`) in its place, polling every pollInterval.
func (s *Stack) StartWorkerProc(bin string, pollInterval time.Duration) (*WorkerProc, error) {
	dir, err := os.MkdirTemp("", "herd-bench-worker")
	if err != nil {
		return nil, err
	}
	w, err := s.startWorkerIn(dir, bin, pollInterval)
	if err != nil {
		os.RemoveAll(dir)
	}
	return w, err
}

func (s *Stack) startWorkerIn(dir, bin string, pollInterval time.Duration) (*WorkerProc, error) {
	key := filepath.Join(dir, "master.key")
	if err := (secrets.KeyFile{Master: s.Master}).Write(key); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "worker.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the process has its own copy
	s.workers[0].Stop()
	s.workers = s.workers[1:]
	cmd := exec.Command(bin, "worker", "--address", s.srv.Address, "--secret-file", key, "--poll-interval", pollInterval.String())
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s worker: %w", bin, err)
	}
	return &WorkerProc{cmd: cmd, dir: dir}, nil
}

// Measure runs phase and reports the worker process's CPU time and its
// resident memory's peak over it.
func (w *WorkerProc) Measure(phase func() error) (Footprint, error) {
	cpu0, start := w.cpuSeconds(), time.Now()
	err := phase()
	f := Footprint{CPUSeconds: w.cpuSeconds() - cpu0, Wall: time.Since(start).Seconds(), PeakRSSMiB: w.status("VmHWM")}
	if f.Wall > 0 {
		f.Cores = f.CPUSeconds / f.Wall
	}
	return f, err
}

// Stop ends the worker process.
func (w *WorkerProc) Stop() {
	_ = w.cmd.Process.Kill()
	_ = w.cmd.Wait()
	os.RemoveAll(w.dir)
}

// status reads a kB field of /proc/PID/status, in MiB.
func (w *WorkerProc) status(field string) float64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuSeconds is the process's user and system time so far.
func (w *WorkerProc) cpuSeconds() float64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", w.cmd.Process.Pid))
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // fields from 3 (state) on
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ
}
