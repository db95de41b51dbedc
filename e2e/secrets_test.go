package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/herdhq/herd/blueprints"
	"github.com/herdhq/herd/cluster"
)

// TestHistoryHoldsNoSecretInClear provisions a cluster from a blueprint
// whose configuration holds a password, exports the workflow's history as
// Temporal stores it, and finds in it no password, key or configuration
// value — nor the spec — in clear (search attributes, such as the
// blueprint's name, are plain by design); decrypted, the spec is there.
func TestHistoryHoldsNoSecretInClear(t *testing.T) {
	s := start(t)
	bp := `{"Blueprints":{"stack_name":"HDP","stack_version":"2.1"},
	  "configurations":[{"hive-site":{"javax.jdo.option.ConnectionPassword":"s3cret-hive-pw"}}],
	  "host_groups":[{"name":"master","cardinality":"1","components":[{"name":"NAMENODE"},{"name":"SECONDARY_NAMENODE"},{"name":"RESOURCEMANAGER"},{"name":"HISTORYSERVER"},{"name":"APP_TIMELINE_SERVER"},{"name":"ZOOKEEPER_SERVER"}]},
	                 {"name":"slaves","components":[{"name":"DATANODE"},{"name":"NODEMANAGER"},{"name":"HDFS_CLIENT"},{"name":"YARN_CLIENT"},{"name":"ZOOKEEPER_CLIENT"}]}]}`
	path := filepath.Join(t.TempDir(), "with-passwords.json")
	if err := os.WriteFile(path, []byte(bp), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := blueprints.NewSpec("secrets", path, 3)
	if err != nil {
		t.Fatal(err)
	}
	base := s.spec("secrets", 3)
	spec.Image, spec.Domain, spec.NodeEnv = base.Image, base.Domain, base.NodeEnv
	if st, err := s.provision(spec); err != nil || st.Phase != cluster.PhaseReady {
		t.Fatalf("provision: %+v %v", st, err)
	}
	creds := s.master.For("secrets")
	stored := s.searchable(s.history(cluster.WorkflowID("secrets")))
	for what, secret := range map[string]string{
		"the blueprint's password": "s3cret-hive-pw", "the Ambari password": creds.AmbariPassword,
		"the Serf gossip key": creds.SerfEncryptKey, "the Serf RPC token": creds.SerfRPCAuth,
		"a node of the spec": "secrets-3.herd.test", "a component": "APP_TIMELINE_SERVER",
	} {
		if strings.Contains(stored, secret) {
			t.Errorf("%s is in the stored history in clear", what)
		}
	}
	plain := s.searchable(s.decoded(s.history(cluster.WorkflowID("secrets"))))
	if !strings.Contains(plain, `"blueprint_name":"with-passwords"`) || !strings.Contains(plain, "s3cret-hive-pw") {
		t.Fatal("decrypted, the history must hold the spec (positive control)")
	}
}

// searchable is a history's text as a person dumping the database would
// read it: every field, and every payload's bytes as they are.
func (s *stack) searchable(h *historypb.History) string {
	s.t.Helper()
	text, err := protojson.Marshal(h)
	if err != nil {
		s.t.Fatal(err)
	}
	var b strings.Builder
	b.Write(text)
	err = proxy.VisitPayloads(context.Background(), h, proxy.VisitPayloadsOptions{
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			for _, p := range ps {
				b.Write(p.Data)
				for _, v := range p.Metadata {
					b.Write(v)
				}
			}
			return ps, nil
		}})
	if err != nil {
		s.t.Fatal(err)
	}
	return b.String()
}
