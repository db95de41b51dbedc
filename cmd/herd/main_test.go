package main

import (
	"os/exec"
	"strings"
	"testing"
)

// deps lists the packages the herd command links with these build tags.
func deps(t *testing.T, tags string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-tags", tags, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	return string(out)
}

// TestSlimBuildLinksNoServer: the default build (laptops, the worker
// image) carries no Temporal server nor its UI; the embedded build does.
func TestSlimBuildLinksNoServer(t *testing.T) {
	slim, full := deps(t, ""), deps(t, "embedded")
	for _, pkg := range []string{"go.temporal.io/server/", "github.com/temporalio/ui-server/", "github.com/herdhq/herd/devserver"} {
		if strings.Contains(slim, pkg) {
			t.Errorf("the default herd build links %s", pkg)
		}
		if !strings.Contains(full, pkg) {
			t.Errorf("the embedded herd build lacks %s", pkg)
		}
	}
}
