// Package devserver is herd's embedded default: a Temporal server
// (go.temporal.io/server, SQLite in a file) and the Temporal Web UI in one
// process, for a laptop or a test. Production points herd at any Temporal
// cluster instead.
package devserver

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiopts "github.com/temporalio/ui-server/v2/server/server_options"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"

	"github.com/herdhq/herd/internal/freeport"
	"github.com/herdhq/herd/visibility"
)

// Options configure the embedded server.
type Options struct {
	DataDir   string // holds temporal.db; empty = in memory
	IP        string // listen address, 127.0.0.1 by default
	Port      int    // frontend gRPC port, 7233 by default; 0 = any free port
	UIPort    int    // Web UI port; 0 = any free port, -1 = no UI
	Namespace string // created at start, "default" by default
	// CodecEndpoint is where the UI decrypts payloads (herd's codec
	// server); empty: the UI shows them as they are stored.
	CodecEndpoint string
	Logger        log.Logger
}

// Server is a running embedded Temporal server.
type Server struct {
	temporal temporal.Server
	ui       *uiserver.Server
	stopped  sync.Once
	Address  string // frontend host:port
	UIURL    string // empty without UI
}

// Start starts the server (and UI) and returns once the frontend listens.
func Start(o Options) (*Server, error) {
	o = o.withDefaults()
	ports, err := freeport.Ports(o.IP, 5)
	if err != nil {
		return nil, err
	}
	if o.Port == 0 {
		o.Port = ports[0]
	}
	sqlCfg, err := sqlConfig(o)
	if err != nil {
		return nil, err
	}
	if o.UIPort == 0 {
		o.UIPort = ports[4]
	}
	conf := serverConfig(o, sqlCfg, ports[1:4])
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(staticHosts(o.IP, conf)),
		temporal.WithLogger(o.Logger),
		temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("create temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start temporal server: %w", err)
	}
	s := &Server{temporal: srv, Address: net.JoinHostPort(o.IP, strconv.Itoa(o.Port))}
	if o.UIPort > 0 {
		s.startUI(o)
	}
	return s, nil
}

func (o Options) withDefaults() Options {
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.Logger == nil {
		o.Logger = log.NewNoopLogger()
	}
	return o
}

func (s *Server) startUI(o Options) {
	s.ui = uiserver.NewServer(uiopts.WithConfigProvider(&uiconfig.Config{
		Host: o.IP, Port: o.UIPort, TemporalGRPCAddress: s.Address, EnableUI: true,
		DefaultNamespace: o.Namespace, HideLogs: true, DisableNewsFetch: true,
		CORS:  uiconfig.CORS{CookieInsecure: true},
		Codec: uiconfig.Codec{Endpoint: o.CodecEndpoint},
	}))
	s.UIURL = fmt.Sprintf("http://%s", net.JoinHostPort(o.IP, strconv.Itoa(o.UIPort)))
	go func() {
		if err := s.ui.Start(); err != nil {
			o.Logger.Error("temporal UI stopped: " + err.Error())
		}
	}()
}

// Stop stops the UI and the server; stopping again does nothing.
func (s *Server) Stop() {
	s.stopped.Do(func() {
		if s.ui != nil {
			s.ui.Stop()
		}
		_ = s.temporal.Stop()
	})
}

func sqlConfig(o Options) (*config.SQL, error) {
	c := &config.SQL{PluginName: sqliteplugin.PluginName}
	if o.DataDir == "" {
		c.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		c.DatabaseName = fmt.Sprintf("herd-%d", time.Now().UnixNano())
	} else {
		if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir %s: %w", o.DataDir, err)
		}
		c.ConnectAttributes = map[string]string{"mode": "rwc", "_journal_mode": "WAL"}
		c.DatabaseName = filepath.Join(o.DataDir, "temporal.db")
	}
	// An in-memory database gets its schema from the SQLite plugin itself.
	if _, err := os.Stat(c.DatabaseName); o.DataDir != "" && os.IsNotExist(err) {
		if err := sqliteschema.SetupSchema(c); err != nil {
			return nil, fmt.Errorf("set up temporal schema in %s: %w", c.DatabaseName, err)
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, o.Namespace, false, visibility.Types())
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", o.Namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(c, ns); err != nil {
		return nil, fmt.Errorf("create namespace %s: %w", o.Namespace, err)
	}
	return c, nil
}

const clusterName = "active"

func serverConfig(o Options, sqlCfg *config.SQL, ports []int) *config.Config {
	addr := func(p int) string { return net.JoinHostPort(o.IP, strconv.Itoa(p)) }
	c := &config.Config{}
	c.Global.Membership.MaxJoinDuration = 30 * time.Second
	c.Global.Membership.BroadcastAddress = o.IP
	c.Persistence.DefaultStore = "sqlite"
	c.Persistence.VisibilityStore = "sqlite"
	c.Persistence.NumHistoryShards = 1
	c.Persistence.DataStores = map[string]config.DataStore{"sqlite": {SQL: sqlCfg}}
	c.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10, MasterClusterName: clusterName, CurrentClusterName: clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{clusterName: {
			Enabled: true, InitialFailoverVersion: 1, RPCAddress: addr(o.Port), ClusterID: "herd-dev",
		}},
	}
	c.DCRedirectionPolicy.Policy = "noop"
	svc := func(p int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: p, BindOnIP: o.IP}}
	}
	c.Services = map[string]config.Service{
		"frontend": svc(o.Port), "history": svc(ports[0]), "matching": svc(ports[1]), "worker": svc(ports[2]),
	}
	c.Archival.History.State, c.Archival.Visibility.State = "disabled", "disabled"
	c.NamespaceDefaults.Archival.History.State, c.NamespaceDefaults.Archival.Visibility.State = "disabled", "disabled"
	c.PublicClient.HostPort = addr(o.Port)
	return c
}

func staticHosts(ip string, c *config.Config) map[primitives.ServiceName]static.Hosts {
	host := func(name string) static.Hosts {
		return static.SingleLocalHost(net.JoinHostPort(ip, strconv.Itoa(c.Services[name].RPC.GRPCPort)))
	}
	return map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: host("frontend"), primitives.HistoryService: host("history"),
		primitives.MatchingService: host("matching"), primitives.WorkerService: host("worker"),
	}
}

// Embedded starts the server with its UI on the given ports, with the
// database in dataDir: the embedded default of `herd dev`.
func Embedded(dataDir string, port, uiPort int, codecEndpoint string) (addr, uiURL string, stop func(), err error) {
	srv, err := Start(Options{DataDir: dataDir, Port: port, UIPort: uiPort, CodecEndpoint: codecEndpoint})
	if err != nil {
		return "", "", nil, err
	}
	return srv.Address, srv.UIURL, srv.Stop, nil
}
