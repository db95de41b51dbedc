// Command herd is the herd CLI with the embedded default (`herd dev`,
// `herd up`): the starter's commands, the worker, and devserver's Temporal
// server.
package main

import (
	"os"

	"github.com/herdhq/herd/devserver"
	"github.com/herdhq/herd/starter"
)

func main() {
	os.Exit(starter.Execute(starter.NewCommand(devserver.Embedded)))
}
