//go:build embedded

package main

import "github.com/herdhq/herd/devserver"

// embedded is devserver's Temporal server: this build has `herd dev`.
var embedded = devserver.Embedded
