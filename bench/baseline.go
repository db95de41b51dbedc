package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/herdhq/herd/blueprints"
	"github.com/herdhq/herd/cluster"
)

// Baseline runs bench/baseline.sh: the 2014 way, by hand, same image.
func Baseline(script, name, image string, nodes int) (Run, error) {
	_, bp, err := blueprints.Load(cluster.DefaultBlueprint)
	if err != nil {
		return Run{}, err
	}
	dir, err := os.MkdirTemp("", "herd-baseline")
	if err != nil {
		return Run{}, err
	}
	defer os.RemoveAll(dir)
	bpFile := filepath.Join(dir, "blueprint.json")
	b, _ := json.Marshal(bp)
	if err := os.WriteFile(bpFile, b, 0o644); err != nil {
		return Run{}, err
	}
	out, err := exec.Command("bash", script, name, strconv.Itoa(nodes), image, bpFile).CombinedOutput()
	if err != nil {
		return Run{}, fmt.Errorf("baseline %d nodes: %v\n%s", nodes, err, out)
	}
	run := Run{Nodes: nodes, Steps: map[string]float64{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		if f[0] == "total" {
			run.Wall = v
		} else {
			run.Steps[f[0]] = v
		}
	}
	if run.Wall == 0 {
		return run, fmt.Errorf("baseline printed no total:\n%s", out)
	}
	return run, nil
}
