//go:build production

package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/herdhq/herd/herdclient"
	"github.com/herdhq/herd/internal/freeport"
	"github.com/herdhq/herd/internal/poll"
)

// A Temporal cluster as a team runs it, made here from what a fresh
// machine has: PostgreSQL from Debian's package, Temporal's schema set up
// by the server's own SQL tool, and Temporal server processes built from
// the go.temporal.io/server module's server command, one per loopback
// address, finding each other through the database (membership).

// goBuild builds a Go package of the module (or of a dependency) into dir.
func goBuild(t *testing.T, dir, name, pkg string, env ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir, cmd.Env = "..", append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// postgres is a PostgreSQL server in a temporary data directory.
type postgres struct {
	bin, dir, ip string
	port         int
}

// pgBinDir finds Debian's PostgreSQL server programs.
func pgBinDir(t *testing.T) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for _, d := range slices.Backward(dirs) {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d
		}
	}
	t.Fatal("no PostgreSQL server: apt-get install postgresql (.ci/run does)")
	return ""
}

// asPostgres runs a PostgreSQL program as the postgres user when this test
// runs as root (initdb refuses root).
func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

func startPostgres(t *testing.T, ip string) *postgres {
	t.Helper()
	dir, err := os.MkdirTemp("", "herd-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	ports, err := freeport.Ports(ip, 1)
	if err != nil {
		t.Fatal(err)
	}
	pg := &postgres{bin: pgBinDir(t), dir: dir, ip: ip, port: ports[0]}
	pg.run(t, "initdb", "-D", filepath.Join(dir, "data"), "-U", "temporal", "--auth=trust")
	opts := fmt.Sprintf("-c listen_addresses=%s -p %d -k %s -c max_connections=300", ip, pg.port, dir)
	pg.run(t, "pg_ctl", "-D", filepath.Join(dir, "data"), "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start")
	t.Cleanup(func() {
		_ = asPostgres(filepath.Join(pg.bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-m", "immediate", "stop").Run()
	})
	return pg
}

func (pg *postgres) run(t *testing.T, prog string, args ...string) {
	t.Helper()
	if out, err := asPostgres(filepath.Join(pg.bin, prog), args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", prog, err, out)
	}
}

// query runs SQL in the temporal database and returns psql's unaligned rows.
func (pg *postgres) query(t *testing.T, sql string) []string {
	t.Helper()
	out, err := exec.Command(filepath.Join(pg.bin, "psql"), "-h", pg.ip, "-p", strconv.Itoa(pg.port), "-U", "temporal", "-d", "temporal", "-Atc", sql).CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v\n%s", sql, err, out)
	}
	return strings.Fields(string(out))
}

// createSchema makes Temporal's two databases with deploy/'s schema
// script (what the Compose file's temporal-schema service runs) and the
// server's SQL tool, twice: the second run, as after a restart, changes
// nothing and fails on nothing.
func (pg *postgres) createSchema(t *testing.T, tool string) {
	t.Helper()
	for range 2 {
		cmd := exec.Command("sh", filepath.Join("..", "deploy", "temporal", "schema.sh"))
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(tool)+":"+os.Getenv("PATH"), "SQL_PLUGIN=postgres12",
			"SQL_HOST="+pg.ip, "SQL_PORT="+strconv.Itoa(pg.port), "SQL_USER=temporal", "SQL_PASSWORD=temporal")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("deploy/temporal/schema.sh: %v\n%s", err, out)
		}
	}
	if v := pg.query(t, "SELECT curr_version FROM schema_version"); len(v) != 1 || v[0] == "0.0" {
		t.Fatalf("temporal schema version %v", v)
	}
}

// proc is a program the test runs in a process of its own, logging to a
// file, and may kill.
type proc struct {
	name, log string
	cmd       *exec.Cmd
	done      chan error
}

func startProc(t *testing.T, dir, name string, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{name: name, log: filepath.Join(dir, name+".log"), cmd: cmd, done: make(chan error, 1)}
	logf, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.done <- cmd.Wait(); logf.Close() }()
	t.Cleanup(p.kill)
	return p
}

// kill ends the process at once (SIGKILL), as a crashed host would.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

// stopGracefully sends SIGTERM and wants a clean exit (status 0).
func (p *proc) stopGracefully(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("%s on SIGTERM: %v\n%s", p.name, err, tail(p.log))
		}
	case <-time.After(time.Minute):
		t.Fatalf("%s did not stop within a minute of SIGTERM", p.name)
	}
}

// ended says how the process ended, or nil while it runs.
func (p *proc) ended() error {
	select {
	case err := <-p.done:
		p.done <- err
		return fmt.Errorf("%s ended: %v\n%s", p.name, err, tail(p.log))
	default:
		return nil
	}
}

// temporalServer is one Temporal server process (all four services).
type temporalServer struct {
	*proc
	ip, addr string
}

// startTemporal starts a server process bound to ip, configured by
// environment alone, as the deploy/ Compose file configures it.
func startTemporal(t *testing.T, bin, ip string, pg *postgres, dynamicConfig string) *temporalServer {
	t.Helper()
	cmd := exec.Command(bin, "--allow-no-auth", "start")
	cmd.Env = append(os.Environ(), "DB=postgres12", "POSTGRES_SEEDS="+pg.ip, "DB_PORT="+strconv.Itoa(pg.port),
		"POSTGRES_USER=temporal", "POSTGRES_PWD=temporal", "SQL_MAX_CONNS=10", "BIND_ON_IP="+ip,
		"TEMPORAL_BROADCAST_ADDRESS="+ip, "CLUSTER_RPC_ADDRESS=127.0.0.2:7233", "DYNAMIC_CONFIG_FILE_PATH="+dynamicConfig, "LOG_LEVEL=warn")
	s := &temporalServer{proc: startProc(t, pg.dir, "temporal-"+ip, cmd), ip: ip, addr: ip + ":7233"}
	s.waitServing(t)
	return s
}

// waitServing waits until the server's frontend answers health checks.
func (s *temporalServer) waitServing(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := poll.Until(ctx, time.Second, func(ctx context.Context) (bool, error) {
		if err := s.ended(); err != nil {
			return false, err
		}
		c, err := client.Dial(client.Options{HostPort: s.addr, Logger: quietLogger()})
		if err != nil {
			return false, nil
		}
		defer c.Close()
		_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("temporal server %s: %v\n%s", s.ip, err, tail(s.log))
	}
}

// tail is the end of a log file, for failure messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// waitMembers waits until every address is in the cluster's membership
// for all four services.
func (pg *postgres) waitMembers(t *testing.T, ips ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var rows []string
	err := poll.Until(ctx, time.Second, func(context.Context) (bool, error) {
		rows = pg.query(t, "SELECT DISTINCT rpc_address || '/' || role FROM cluster_membership WHERE record_expiry > now() ORDER BY 1")
		for _, ip := range ips {
			for role := 1; role <= 4; role++ {
				if !slices.Contains(rows, fmt.Sprintf("%s/%d", ip, role)) {
					return false, nil
				}
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("membership never held %v in all four services: %v", ips, rows)
	}
}

// temporalCluster is PostgreSQL and two Temporal server processes.
type temporalCluster struct {
	pg   *postgres
	a, b *temporalServer
}

func startTemporalCluster(t *testing.T, dir string) *temporalCluster {
	t.Helper()
	server := goBuild(t, dir, "temporal-server", "go.temporal.io/server/cmd/server")
	tool := goBuild(t, dir, "temporal-sql-tool", "go.temporal.io/server/cmd/tools/sql")
	pg := startPostgres(t, "127.0.0.2")
	pg.createSchema(t, tool)
	dc, err := filepath.Abs(filepath.Join("..", "deploy", "temporal", "dynamicconfig.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The first server writes the cluster's metadata; the second starts
	// once it has.
	a := startTemporal(t, server, "127.0.0.2", pg, dc)
	b := startTemporal(t, server, "127.0.0.3", pg, dc)
	pg.waitMembers(t, a.ip, b.ip)
	return &temporalCluster{pg: pg, a: a, b: b}
}

// dial connects to a frontend with the stack's codec.
func (s *stack) dialProduction(addr, namespace string) {
	s.t.Helper()
	dc := s.codec.DataConverter()
	c, err := herdclient.Dial(herdclient.Options{Address: addr, Namespace: namespace, Logger: quietLogger(), DataConverter: dc})
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(c.Close)
	s.c, s.herd = c, herdclient.New(c, dc)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
