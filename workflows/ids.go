// Package workflows holds herd's Temporal workflows. They are thin and
// deterministic: every side effect is an activity in package activities.
package workflows

import "github.com/herdhq/herd/activities"

// TaskQueue is where herd's workers listen.
const TaskQueue = "herd"

// StatusQuery is the query name of a cluster workflow's Status.
const StatusQuery = "status"

// TerminateWorkflowID is the id of the workflow that cleans up after a
// cluster whose own workflow has ended.
func TerminateWorkflowID(clusterName string) string { return "terminate/" + clusterName }

// a is used only to name activity methods.
var a *activities.Activities
