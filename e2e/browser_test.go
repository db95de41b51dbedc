package e2e

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// artifactsDir is where the browser test leaves its screenshots.
func artifactsDir() string {
	if d := os.Getenv("HERD_ARTIFACTS"); d != "" {
		return d
	}
	return filepath.Join("..", "bin", "artifacts")
}

// checkBrowser opens the embedded Web UI in headless Chromium: the workflow
// list filtered by herd's search attributes, the cluster's workflow and its
// search attributes. (The UI draws summaries in sandboxed frames that a
// page's text does not reach: checkSummaries reads them as the UI does.)
func (s *stack) checkBrowser(name string) {
	s.t.Helper()
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			s.t.Fatal("chromium is not installed; .ci/run installs it with apt-get")
		}
		s.t.Skip("chromium not installed (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.WindowSize(1400, 6000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Run(ctx); err != nil { // start the browser under the long-lived context
		s.t.Fatalf("start chromium: %v", err)
	}
	base := s.srv.UIURL + "/namespaces/default/workflows"
	query := url.QueryEscape(`HerdPhase="ready" AND HerdCluster="` + name + `"`)
	s.page(ctx, "workflow-list", base+"?query="+query, "", "cluster/"+name, "ClusterWorkflow")
	wf := base + "/" + url.PathEscape("cluster/"+name)
	s.page(ctx, "workflow", wf, "", "cluster/"+name, "ClusterWorkflow", "Event History")
	s.page(ctx, "workflow-search-attributes", wf, "Search Attributes", "HerdPhase", "ready", "HerdNodes", "multi-node-hdfs-yarn")
}

// page loads a URL (and clicks a tab), waits until every wanted text is on
// the page, and saves a screenshot. It does not wait for the load event: the
// UI keeps polling a running workflow.
func (s *stack) page(browser context.Context, shot, u, tab string, want ...string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(browser, time.Minute)
	defer cancel()
	actions := []chromedp.Action{
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, _, _, _, err := page.Navigate(u).Do(ctx)
			return err
		}),
		chromedp.WaitVisible("main", chromedp.ByQuery),
	}
	if tab != "" {
		actions = append(actions, chromedp.Click(`//*[@role="tab" or self::a or self::button][contains(normalize-space(.), "`+tab+`")]`, chromedp.BySearch))
	}
	if err := chromedp.Run(ctx, actions...); err != nil {
		s.screenshot(browser, shot)
		s.t.Fatalf("%s: %v", shot, err)
	}
	var text string
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.body.textContent`, &text)); err != nil {
			s.t.Fatalf("%s: %v", shot, err)
		}
		if missing := absent(text, want); len(missing) == 0 {
			break
		} else if time.Now().After(deadline) {
			s.screenshot(ctx, shot)
			_ = os.WriteFile(filepath.Join(artifactsDir(), shot+".txt"), []byte(text), 0o644)
			s.t.Fatalf("%s (%s) lacks %q", shot, u, missing)
		}
		time.Sleep(500 * time.Millisecond)
	}
	s.screenshot(ctx, shot)
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
