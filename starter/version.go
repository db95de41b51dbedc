package starter

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version describes this build of herd.
type Version struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Go       string `json:"go"`
	SDK      string `json:"temporal_sdk"`
	Server   string `json:"temporal_server,omitempty"`
}

// BuildVersion reads the version from the binary's build information.
func BuildVersion() Version {
	v := Version{Version: "(devel)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Go, v.Version = bi.GoVersion, bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v.Revision = s.Value
		}
	}
	for _, d := range bi.Deps {
		switch d.Path {
		case "go.temporal.io/sdk":
			v.SDK = d.Version
		case "go.temporal.io/server":
			v.Server = d.Version
		}
	}
	return v
}

func (app *App) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use: "version", Short: "print herd's version", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := BuildVersion()
			return app.print(cmd.OutOrStdout(), v, func() {
				server := "no embedded server"
				if v.Server != "" {
					server = "embedded server " + v.Server
				}
				fmt.Fprintf(cmd.OutOrStdout(), "herd %s %s (%s, Temporal SDK %s, %s)\n", v.Version, v.Revision, v.Go, v.SDK, server)
			})
		},
	}
}
