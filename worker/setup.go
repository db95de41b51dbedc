package worker

import (
	"context"
	"fmt"
	"sort"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

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
