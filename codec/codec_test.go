package codec

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/herdhq/herd/secrets"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
)

func master(t *testing.T) secrets.Master {
	m, err := secrets.Parse("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPayloadsAreCiphertextAndDecodeBack(t *testing.T) {
	c, _ := New(secrets.KeyFile{Master: master(t)})
	dc := c.DataConverter()
	p, err := dc.ToPayload(map[string]string{"password": "hunter2-hunter2"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte("hunter2")) || string(p.Metadata[MetadataEncoding]) != Encoding {
		t.Fatalf("the payload must be ciphertext: %q", p.Data)
	}
	var back map[string]string
	if err := dc.FromPayload(p, &back); err != nil || back["password"] != "hunter2-hunter2" {
		t.Fatalf("decode: %v %v", back, err)
	}
	p.Data[len(p.Data)-1] ^= 1
	if err := dc.FromPayload(p, &back); err == nil {
		t.Fatal("a tampered payload must not decode")
	}
}

// After `herd secrets rotate`, new payloads use the new key and old ones
// still decode; another master key decodes nothing and says what to check.
func TestRotatedKeysStillDecodeOldPayloads(t *testing.T) {
	m := master(t)
	old, _ := New(secrets.KeyFile{Master: m, Codec: 1})
	rotated, _ := New(secrets.KeyFile{Master: m, Codec: 2})
	p, _ := old.DataConverter().ToPayload("spec")
	var s string
	if err := rotated.DataConverter().FromPayload(p, &s); err != nil || s != "spec" {
		t.Fatalf("a rotated codec must decode the old key's payloads: %v", err)
	}
	q, _ := rotated.DataConverter().ToPayload("spec")
	if !strings.HasPrefix(string(q.Metadata[MetadataKeyID]), "herd-g2-") {
		t.Fatalf("new payloads use the newest key: %s", q.Metadata[MetadataKeyID])
	}
	other, _ := secrets.Generate()
	stranger, _ := New(secrets.KeyFile{Master: other})
	if err := stranger.DataConverter().FromPayload(p, &s); err == nil || !strings.Contains(err.Error(), "--secret-file") {
		t.Fatalf("another master key must be told apart: %v", err)
	}
}

func TestCodecServerNeedsTheTokenAndAnAllowedOrigin(t *testing.T) {
	c, _ := New(secrets.KeyFile{Master: master(t)})
	srv := httptest.NewServer(c.Handler("tok3n", []string{"http://127.0.0.1:8233"}))
	defer srv.Close()
	p, _ := c.DataConverter().ToPayload("hello")
	payloads := `{"payloads":[` + protoJSON(t, p) + `]}`
	post := func(path, origin, auth string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(payloads))
		req.Header.Set("Content-Type", "application/json")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp, b.String()
	}
	if resp, _ := post("/decode", "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	if resp, _ := post("/tok3n/decode", "http://evil.example", ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a foreign origin: %d", resp.StatusCode)
	}
	resp, out := post("/tok3n/decode", "http://127.0.0.1:8233", "")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:8233" || !strings.Contains(out, `"ImhlbGxvIg=="`) { // base64 of "hello" in JSON
		t.Fatalf("the UI's decode: %d %q", resp.StatusCode, out)
	}
	if resp, _ := post("/decode", "", "Bearer tok3n"); resp.StatusCode != 200 {
		t.Fatalf("a bearer token: %d", resp.StatusCode)
	}
}

func protoJSON(t *testing.T, p *commonpb.Payload) string {
	b, err := protojson.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A large cluster's state repeats itself: compressed before it is
// encrypted, it stays far under Temporal's 2 MiB limit on one payload, and
// decodes back whole, through the data converter and the codec server.
func TestLargeRepetitivePayloadsAreCompressedBeforeEncryption(t *testing.T) {
	c, _ := New(secrets.KeyFile{Master: master(t)})
	type node struct{ Name, FQDN, HostGroup, IP, State string }
	nodes := make([]node, 10000)
	for i := range nodes {
		name := "analytics-" + strconv.Itoa(i+1)
		nodes[i] = node{name, name + ".prod.example.com", "workers", "10.0." + strconv.Itoa(i/250) + "." + strconv.Itoa(i%250), "up"}
	}
	plain, _ := json.Marshal(nodes)
	p, err := c.DataConverter().ToPayload(nodes)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Data) > len(plain)/4 {
		t.Fatalf("%d nodes: %d bytes encoded from %d of JSON; they must be compressed", len(nodes), len(p.Data), len(plain))
	}
	var back []node
	if err := c.DataConverter().FromPayload(p, &back); err != nil || len(back) != len(nodes) || back[9999] != nodes[9999] {
		t.Fatalf("decode: %d nodes, %v", len(back), err)
	}
	srv := httptest.NewServer(c.Handler("tok3n", nil))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/tok3n/decode", "application/json", strings.NewReader(`{"payloads":[`+protoJSON(t, p)+`]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Payloads []struct{ Metadata map[string]string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Payloads) != 1 {
		t.Fatalf("codec server: %v %+v", err, out)
	}
	if enc, _ := base64.StdEncoding.DecodeString(out.Payloads[0].Metadata["encoding"]); string(enc) != "json/plain" {
		t.Fatalf("the UI must get the plain payload back, got encoding %q", enc)
	}
}

// Histories written before compression hold payloads that are only
// encrypted: they still decode.
func TestPayloadsEncryptedWithoutCompressionStillDecode(t *testing.T) {
	c, _ := New(secrets.KeyFile{Master: master(t)})
	before := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
	p, err := before.ToPayload(strings.Repeat("slave ", 1000))
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if err := c.DataConverter().FromPayload(p, &s); err != nil || s != strings.Repeat("slave ", 1000) {
		t.Fatalf("an encrypted, uncompressed payload must decode: %v", err)
	}
}

// Payloads under CompressFrom are written as before herd compressed: an
// earlier release's worker, which cannot read compressed payloads, reads
// them.
func TestSmallPayloadsAreNotCompressed(t *testing.T) {
	c, _ := New(secrets.KeyFile{Master: master(t)})
	before := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
	p, err := c.DataConverter().ToPayload(strings.Repeat("slave ", 1000))
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if err := before.FromPayload(p, &s); err != nil || s != strings.Repeat("slave ", 1000) {
		t.Fatalf("an earlier release must read a small payload: %v", err)
	}
}
