// Package secrets derives each cluster's credentials from one master key
// held by the worker, so no password or key ever enters workflow history:
// the workflow names the cluster, activities derive what they need.
package secrets

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Cluster holds one cluster's credentials.
type Cluster struct {
	AmbariUser     string
	AmbariPassword string
	// ServicePassword is the cluster template's default_password: the
	// services' passwords the blueprint leaves out (Hive's metastore
	// database, ...).
	ServicePassword string
	SerfEncryptKey  string // base64 of 32 bytes
	SerfRPCAuth     string
}

// Master is the worker's master key.
type Master []byte

// For derives the credentials of cluster.
func (m Master) For(cluster string) Cluster {
	return Cluster{
		AmbariUser:      "admin",
		AmbariPassword:  hex.EncodeToString(m.derive("ambari-password", cluster)[:16]),
		ServicePassword: hex.EncodeToString(m.derive("service-password", cluster)[:16]),
		SerfEncryptKey:  base64.StdEncoding.EncodeToString(m.derive("serf-encrypt", cluster)),
		SerfRPCAuth:     hex.EncodeToString(m.derive("serf-rpc-auth", cluster)[:16]),
	}
}

func (m Master) derive(purpose, cluster string) []byte {
	mac := hmac.New(sha256.New, m)
	mac.Write([]byte(purpose + "\x00" + cluster))
	return mac.Sum(nil)
}

// Generate returns a new random master key.
func Generate() (Master, error) {
	m := make(Master, 32)
	if _, err := rand.Read(m); err != nil {
		return nil, fmt.Errorf("generate master key: %w", err)
	}
	return m, nil
}

// LoadOrCreate reads the master key at path, creating it (0600) when the
// file does not exist yet.
func LoadOrCreate(path string) (Master, error) {
	m, err := Load(path)
	if !errors.Is(err, os.ErrNotExist) {
		return m, err
	}
	if m, err = Generate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create master key dir: %w", err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(m)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write master key %s: %w", path, err)
	}
	return m, nil
}

// Load reads the master key at path; the file must not be readable by
// others. A missing file is an error wrapping os.ErrNotExist that says
// where the key lives.
func Load(path string) (Master, error) {
	kf, err := ReadKeyFile(path)
	return kf.Master, err
}

// Parse decodes a hex master key of at least 16 bytes.
func Parse(s string) (Master, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) < 16 {
		return nil, fmt.Errorf("master key must be at least 32 hex digits (e.g. `openssl rand -hex 32`)")
	}
	return Master(b), nil
}

// GossipKey is the Serf gossip key's bytes.
func (c Cluster) GossipKey() ([]byte, error) {
	return base64.StdEncoding.DecodeString(c.SerfEncryptKey)
}

// CodecKey is the AES-256 key of payload generation gen (1, 2, ...):
// Temporal payloads are encrypted with the newest and decrypted with any.
func (m Master) CodecKey(gen int) []byte { return m.derive("payload-codec", fmt.Sprint(gen)) }

// Installation names this herd installation (this master key) without
// telling the key: cloud resources carry it, so that two installations in
// one account never touch each other's.
func (m Master) Installation() string { return hex.EncodeToString(m.derive("installation", "")[:6]) }

// WebhookKey is the key herd signs a notification target's webhook bodies
// with (HMAC-SHA256): derived, so it is kept nowhere, and shown by `herd
// notify add` for the receiver to check signatures with.
func (m Master) WebhookKey(target string) string {
	return hex.EncodeToString(m.derive("webhook", target))
}
