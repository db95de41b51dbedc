// Command herd is the herd CLI: the starter commands, the worker, and the
// embedded default (`herd dev`, `herd up`).
package main

import (
	"os"

	"github.com/herdhq/herd/devserver"
	"github.com/herdhq/herd/starter"
)

func main() {
	root := starter.NewCommand()
	root.AddCommand(devserver.NewDevCommand(), devserver.NewUpCommand())
	os.Exit(starter.Execute(root))
}
