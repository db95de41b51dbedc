package aws

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/herdhq/herd/providers"
)

// permanent are the EC2 error codes trying again cannot help, with the fix.
var permanent = map[string]string{
	"IdempotentParameterMismatch":  "a launch token came back with other parameters: this launch was made differently before; a new create or repair launches anew",
	"UnauthorizedOperation":        "the credentials lack a permission herd needs (deploy/aws-iam-policy.json)",
	"AuthFailure":                  "AWS refused the credentials: check the access key, profile or instance role",
	"InvalidClientTokenId":         "AWS does not know the access key: check the credentials",
	"SignatureDoesNotMatch":        "the secret key does not match the access key: check the credentials",
	"OptInRequired":                "the account is not subscribed to this service or AMI offer in this region",
	"Blocked":                      "the account is blocked: contact AWS support",
	"InvalidParameterValue":        "a provider option is wrong",
	"InvalidParameterCombination":  "provider options do not go together",
	"InvalidParameter":             "a provider option is wrong",
	"MissingParameter":             "a provider option is missing",
	"InstanceLimitExceeded":        "the account's instance quota is reached: raise it in Service Quotas, or use fewer nodes",
	"VcpuLimitExceeded":            "the account's vCPU quota for this instance family is reached: raise it in Service Quotas",
	"MaxSpotInstanceCountExceeded": "the account's spot quota is reached: raise it, or use on-demand instances",
	"InvalidKeyPair.NotFound":      "the key pair named by key-name does not exist in this region",
	"InvalidSubnetID.NotFound":     "a subnet does not exist in this region",
	"InvalidGroup.NotFound":        "a security group does not exist in this region",
	"InvalidBlockDeviceMapping":    "the root volume settings do not suit the AMI",
	"ParameterNotFound":            "the SSM parameter of the AMI does not exist in this region",
}

// capacity are the codes of a subnet (or zone) without room: another
// subnet, or a later try, may have it.
var capacity = map[string]bool{
	"InsufficientInstanceCapacity": true, "InsufficientCapacity": true,
	"InsufficientFreeAddressesInSubnet": true, "Unsupported": true,
}

// classify turns an EC2 error into a permanent one, which says what to fix
// (bad parameters, missing permissions, quotas, credentials), or one worth
// retrying (capacity, throttling, anything unknown).
func classify(what string, err error) error {
	if err == nil {
		return nil
	}
	code := apiCode(err)
	hint, bad := permanent[code]
	if strings.HasPrefix(code, "InvalidAMIID.") {
		hint, bad = "the AMI does not exist in this region or cannot be used: check --provider-opt ami", true
	}
	if code == "" && strings.Contains(err.Error(), "failed to retrieve credentials") {
		hint, bad, code = "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or run with an instance role", true, "Credentials"
	}
	if bad {
		return providers.Permanent("AWS"+code, fmt.Errorf("%s: %s: %w", what, hint, err))
	}
	return fmt.Errorf("%s: %w", what, err)
}

func isCapacity(err error) bool { return capacity[apiCode(err)] }

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// decodeConsole is a console output as EC2 gives it (base64), its last
// lines for an error message.
func decodeConsole(out string) string {
	b, err := base64.StdEncoding.DecodeString(out)
	if err != nil {
		b = []byte(out)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
