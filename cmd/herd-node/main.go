// Command herd-node is the entrypoint of the herd node image.
package main

import (
	"fmt"
	"os"

	"github.com/herdhq/herd/node"
)

func main() {
	if err := node.NewCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "herd-node:", err)
		os.Exit(2)
	}
}
