package worker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/herdhq/herd/internal/poll"
	"github.com/herdhq/herd/visibility"
)

// EnsureSearchAttributes registers the search attributes herd needs on the
// namespace, adding only the missing ones. It returns the names added.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) ([]string, error) {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return nil, fmt.Errorf("list search attributes of %s: %w", namespace, err)
	}
	missing := visibility.Types()
	for name, typ := range missing {
		if got, ok := have.CustomAttributes[name]; ok {
			if got != typ {
				return nil, fmt.Errorf("search attribute %s exists in %s as %s, herd needs %s: remove it or use another namespace", name, namespace, got, typ)
			}
			delete(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	if err != nil {
		return nil, fmt.Errorf("add search attributes to %s: %w", namespace, err)
	}
	var added []string
	for name := range missing {
		added = append(added, name)
	}
	sort.Strings(added)
	return added, nil
}

// EnsureNamespace registers the namespace with this retention of closed
// workflows' histories when it does not exist yet, and reports whether it
// did. A self-hosted Temporal cluster starts with no namespace; Temporal
// Cloud's are made in its console (there, the namespace must exist).
func EnsureNamespace(ctx context.Context, c client.Client, namespace string, retention time.Duration) (bool, error) {
	_, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	var missing *serviceerror.NamespaceNotFound
	if err == nil || !errors.As(err, &missing) {
		if err != nil {
			return false, fmt.Errorf("describe namespace %s: %w", namespace, err)
		}
		return false, nil
	}
	_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: namespace, WorkflowExecutionRetentionPeriod: durationpb.New(retention),
		Description: "herd's Hadoop clusters",
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return false, fmt.Errorf("register namespace %s: %w", namespace, err)
	}
	return err == nil, nil
}

// WaitSearchAttributesUsable waits until a visibility query over every
// one of herd's search attributes is accepted. Temporal's frontends and
// history hosts cache a namespace's search attributes for up to a minute,
// so ones just added are refused for a while (`no mapping defined for
// search attribute`); `herd setup` returns once they can be used.
func WaitSearchAttributesUsable(ctx context.Context, c client.Client, namespace string) error {
	types := visibility.Types()
	var terms []string
	for _, name := range slices.Sorted(maps.Keys(types)) {
		if types[name] == enumspb.INDEXED_VALUE_TYPE_INT {
			terms = append(terms, name+" = 0")
		} else {
			terms = append(terms, name+" = ''")
		}
	}
	query := strings.Join(terms, " AND ")
	var last error
	err := poll.Until(ctx, 2*time.Second, func(ctx context.Context) (bool, error) {
		_, last = c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace, Query: query})
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("herd's search attributes are not usable in namespace %s yet (%v): %w", namespace, last, err)
	}
	return nil
}
