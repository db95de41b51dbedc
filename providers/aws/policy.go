package aws

import (
	_ "embed"
	"strings"
)

//go:embed policy.json
var policy string

// Policy is the least-privilege IAM policy herd's worker needs on AWS for
// the installation with the given id: it launches only resources tagged
// with it, and stops, starts, terminates, reads the console of and pins
// only instances carrying it (`herd aws-policy` prints it).
func Policy(installation string) string {
	return strings.ReplaceAll(policy, "INSTALLATION", installation)
}
