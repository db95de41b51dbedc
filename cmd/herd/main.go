// Command herd is the herd CLI and worker. Built as is, it links no
// Temporal server: it is what people install on laptops and what the
// worker image carries, and it talks to any Temporal cluster. Built with
// -tags embedded (make build), it also carries devserver's Temporal server
// and Web UI for the embedded default (`herd dev`, `herd up`).
package main

import (
	"os"

	"github.com/herdhq/herd/starter"
)

func main() {
	os.Exit(starter.Execute(starter.NewCommand(embedded)))
}
