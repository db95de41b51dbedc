package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// promtool runs Prometheus's promtool (Debian's prometheus package).
func promtool(t *testing.T, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("promtool"); err != nil {
		t.Fatal("promtool is not installed: apt-get install prometheus (.ci/run does)")
	}
	cmd := exec.Command("promtool", args...)
	cmd.Dir = "prometheus"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestPrometheusRules: promtool accepts the rules, and their unit tests
// (each alert fires on the series that call for it) pass.
func TestPrometheusRules(t *testing.T) {
	if out := promtool(t, "check", "rules", "herd-rules.yml"); !strings.Contains(out, "SUCCESS: 7 rules found") {
		t.Fatalf("check rules:\n%s", out)
	}
	if out := promtool(t, "test", "rules", "herd-rules.test.yml"); !strings.Contains(out, "SUCCESS") {
		t.Fatalf("test rules:\n%s", out)
	}
}

// TestRulesUseMetricsHerdExports: every herd_ metric the rules read is one
// the code exports, so a renamed metric cannot silence an alert.
func TestRulesUseMetricsHerdExports(t *testing.T) {
	b, err := os.ReadFile("prometheus/herd-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	rules := string(b)
	exported := exportedMetrics(t)
	for _, m := range slices.Compact(slices.Sorted(slices.Values(regexp.MustCompile(`herd_[a-z_]+`).FindAllString(rules, -1)))) {
		base := strings.TrimSuffix(strings.TrimSuffix(m, "_count"), "_seconds")
		if !slices.Contains(exported, m) && !slices.Contains(exported, base) {
			t.Errorf("the rules read %s, which herd does not export (it exports %v)", m, exported)
		}
	}
}

// exportedMetrics are the herd_ metric names the code of the packages that
// export metrics holds.
func exportedMetrics(t *testing.T) []string {
	var names []string
	re := regexp.MustCompile(`"(herd_[a-z_]+)"`)
	for _, dir := range []string{"../workflows", "../metrics", "../worker"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				names = append(names, m[1])
			}
		}
	}
	return names
}
