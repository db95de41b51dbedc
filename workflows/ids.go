// Package workflows holds herd's Temporal workflows. They are thin and
// deterministic: every side effect is an activity in package activities.
package workflows

import "github.com/herdhq/herd/activities"

// a is used only to name activity methods.
var a *activities.Activities
