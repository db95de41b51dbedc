package secrets

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// KeyFile is the master key file: the master key in hex on the first line;
// then, once `herd secrets rotate` has run, a line "codec-key N" naming the
// generation of the payload key that encrypts new payloads (1 without it;
// older generations still decrypt what they encrypted).
type KeyFile struct {
	Master Master
	Codec  int
}

// ReadKeyFile reads and checks a master key file.
func ReadKeyFile(path string) (KeyFile, error) {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return KeyFile{}, fmt.Errorf("no master key at %s: cluster credentials derive from the worker's master key; run this where the worker runs, or give a copy with --secret-file: %w", path, os.ErrNotExist)
	}
	if err != nil {
		return KeyFile{}, fmt.Errorf("read master key %s: %w", path, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return KeyFile{}, fmt.Errorf("master key %s can be read by others (mode %04o): chmod 600 %s", path, info.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return KeyFile{}, fmt.Errorf("read master key %s: %w", path, err)
	}
	return parseKeyFile(path, string(b))
}

func parseKeyFile(path, text string) (KeyFile, error) {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	m, err := Parse(lines[0])
	if err != nil {
		return KeyFile{}, fmt.Errorf("%s: %w", path, err)
	}
	kf := KeyFile{Master: m, Codec: 1}
	for _, line := range lines[1:] {
		gen, ok := strings.CutPrefix(strings.TrimSpace(line), "codec-key ")
		n, err := strconv.Atoi(gen)
		if !ok || err != nil || n < 1 {
			return KeyFile{}, fmt.Errorf("%s: line %q: only \"codec-key N\" may follow the key (herd secrets rotate writes it)", path, line)
		}
		kf.Codec = n
	}
	return kf, nil
}

// Write writes the key file (0600).
func (kf KeyFile) Write(path string) error {
	text := fmt.Sprintf("%x\n", []byte(kf.Master))
	if kf.Codec > 1 {
		text += fmt.Sprintf("codec-key %d\n", kf.Codec)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return fmt.Errorf("write master key %s: %w", path, err)
	}
	return nil
}
