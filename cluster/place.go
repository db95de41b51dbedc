package cluster

import (
	"fmt"
	"regexp"
)

// A place is where a cluster's machines are and where the workers that can
// reach them run: a region's VPC, a data centre, a Docker host. Workflows
// need no reach and run on TaskQueue, served by every worker; each
// cluster's activities run on the task queue of its place, served only by
// the workers started there (`herd worker --place NAME`). A cluster with
// no place has its activities on its workflow's queue, as before places
// existed.

var placeRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?$`)

// ValidatePlace checks a place's name; empty is no place.
func ValidatePlace(place string) error {
	if place != "" && !placeRE.MatchString(place) {
		return fmt.Errorf("--place %q is not valid: use lower-case letters, digits, dots and dashes, e.g. eu-central-1 or dc1", place)
	}
	return nil
}

// ActivityQueue is the task queue of a place's activities; with no place it
// is empty: activities then run on their workflow's own task queue
// (TaskQueue, or a test's).
func ActivityQueue(place string) string {
	if place == "" {
		return ""
	}
	return TaskQueue + "@" + place
}
