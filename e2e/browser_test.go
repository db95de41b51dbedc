package e2e

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/herdhq/herd/cluster"
)

// artifactsDir is where the browser test leaves its screenshots.
func artifactsDir() string {
	if d := os.Getenv("HERD_ARTIFACTS"); d != "" {
		return d
	}
	return filepath.Join("..", "bin", "artifacts")
}

// TestWebUI provisions a cluster and reads it in the Temporal Web UI as a
// person would, in headless Chromium (screenshots in bin/artifacts).
func TestWebUI(t *testing.T) {
	chrome := chromium(t)
	s := start(t)
	if st, err := s.create("e2eui", nil); err != nil || st.Phase != cluster.PhaseReady {
		t.Fatalf("create: %+v %v", st, err)
	}
	s.checkBrowser(chrome, "e2eui")
}

// chromium finds the browser; without it the test skips, or fails under
// CI=true.
func chromium(t *testing.T) string {
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; .ci/run installs it with apt-get")
		}
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	return chrome
}

// checkBrowser opens the embedded Web UI in headless Chromium: the workflow
// list filtered by herd's search attributes, the cluster's workflow and its
// search attributes. (The UI draws summaries in sandboxed frames that a
// page's text does not reach: checkSummaries reads them as the UI does.)
func (s *stack) checkBrowser(chrome, name string) {
	s.t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.WindowSize(1400, 6000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Run(ctx); err != nil { // start the browser under the long-lived context
		s.t.Fatalf("start chromium: %v", err)
	}
	listOf := func(cluster string) chromedp.Action {
		query := url.QueryEscape(`HerdPhase="ready" AND HerdCluster="` + cluster + `"`)
		return navigate(s.srv.UIURL + "/namespaces/default/workflows?query=" + query)
	}
	// What the UI shows for no workflow, which the list below reloads on.
	s.page(ctx, "workflow-list-empty", listOf(name+"-none"), uiEmptyList)
	// The list is read once when the page loads, and the ready phase may
	// reach Temporal's visibility store a moment after the workflow said
	// it: while the list comes back empty, reload it, as a person would.
	s.pageReloading(ctx, "workflow-list", listOf(name), uiEmptyList, "cluster/"+name, "ClusterWorkflow")
	// The input shows decrypted: the UI reads it through herd's codec server.
	s.page(ctx, "workflow", click("cluster/"+name), "ClusterWorkflow", "Event History", "Search Attributes", `"blueprint_name"`)
	s.page(ctx, "workflow-search-attributes", click("Search Attributes"), "HerdPhase", "ready", "HerdNodes", "multi-node-hdfs-yarn")
}

// navigate loads a URL without waiting for the load event: the UI keeps
// polling a running workflow.
func navigate(u string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		_, _, _, _, err := page.Navigate(u).Do(ctx)
		return err
	})
}

// uiErrorPage is what the Temporal UI shows when one of its calls failed;
// it asks the person to refresh.
const uiErrorPage = "Uh oh. There's an error."

// uiEmptyList is what the Temporal UI shows for a list of no workflows.
const uiEmptyList = "No Workflows Found"

// reload refreshes the page without waiting for the load event.
func reload() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error { return page.Reload().Do(ctx) })
}

// click follows a link or tab by its text, as a person would.
func click(text string) chromedp.Action {
	return chromedp.Click(`//*[self::a or self::button or @role="tab"][contains(normalize-space(.), "`+text+`")]`, chromedp.BySearch)
}

// page does an action, waits until every wanted text is on the page, and
// saves a screenshot.
func (s *stack) page(browser context.Context, shot string, action chromedp.Action, want ...string) {
	s.t.Helper()
	s.pageReloading(browser, shot, action, "", want...)
}

// pageReloading is page, reloading the page, at most every 2 s, while it
// shows stale (when not empty) instead of a wanted text.
func (s *stack) pageReloading(browser context.Context, shot string, action chromedp.Action, stale string, want ...string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(browser, time.Minute)
	defer cancel()
	if err := chromedp.Run(ctx, action); err != nil {
		s.screenshot(browser, shot)
		s.t.Fatalf("%s: %v", shot, err)
	}
	var text string
	loaded := time.Now()
	for {
		err := chromedp.Run(ctx, chromedp.Evaluate(`document.body ? document.body.textContent : ""`, &text))
		missing := absent(text, want)
		if err == nil && len(missing) == 0 {
			break
		}
		// The UI failed a call (the machine is loaded), or shows what is no
		// longer so: refresh, as a person would.
		isStale := stale != "" && strings.Contains(text, stale) && time.Since(loaded) >= 2*time.Second
		if strings.Contains(text, uiErrorPage) || isStale {
			_ = chromedp.Run(ctx, reload())
			loaded = time.Now()
		}
		if ctx.Err() != nil {
			s.screenshot(browser, shot)
			_ = os.WriteFile(filepath.Join(artifactsDir(), shot+".txt"), []byte(text), 0o644)
			s.t.Fatalf("%s lacks %q (%v)", shot, missing, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	s.screenshot(browser, shot)
}

func absent(text string, want []string) []string {
	var missing []string
	for _, w := range want {
		if !strings.Contains(text, w) {
			missing = append(missing, w)
		}
	}
	return missing
}

func (s *stack) screenshot(ctx context.Context, name string) {
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		s.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	dir := artifactsDir()
	if err := os.MkdirAll(dir, 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}
