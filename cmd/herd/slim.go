//go:build !embedded

package main

import "github.com/herdhq/herd/starter"

// embedded is nil: this build links no Temporal server.
var embedded starter.Embedded
