package ambariemu

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The state is written at once after a write through the API, and no
// more often than the saver allows after the emulator's own progress;
// what was held back is written when due and when Run stops.
func TestSaverHoldsBackProgressNotWrites(t *testing.T) {
	f := newFixture(t, Config{HeartbeatTimeout: time.Hour})
	path := filepath.Join(t.TempDir(), "state.json")
	s := &saver{path: path, every: time.Hour}
	defer s.stop()
	holds := func(what string) bool {
		b, _ := os.ReadFile(path)
		return bytes.Contains(b, []byte(what))
	}

	f.register("m.d", "10.0.0.1") // progress: the first is written at once
	s.after(f.emu)
	if !holds("m.d") || s.due() != nil {
		t.Fatal("the first change is not written at once")
	}
	f.register("s.d", "10.0.0.2") // progress within the hour: held back
	s.after(f.emu)
	if holds("s.d") || s.due() == nil {
		t.Fatal("progress within saveEvery of the last save is written at once, or not held back")
	}
	if err := f.cl.PostBlueprint(ctx, "hdfs", hdfsBlueprint()); err != nil {
		t.Fatal(err)
	}
	s.after(f.emu) // an API write: written at once, with what was held back
	if !holds(`"hdfs"`) || !holds("s.d") || s.due() != nil {
		t.Fatal("a write through the API is not saved at once")
	}
	f.register("t.d", "10.0.0.3")
	s.after(f.emu)
	s.flush(f.emu)
	if !holds("t.d") {
		t.Fatal("flush does not write what was held back")
	}
}

// A held-back save is written once it is due, with no further change.
func TestSaverWritesHeldBackWhenDue(t *testing.T) {
	f := newFixture(t, Config{HeartbeatTimeout: time.Hour})
	path := filepath.Join(t.TempDir(), "state.json")
	s := &saver{path: path, every: 20 * time.Millisecond}
	defer s.stop()
	f.register("m.d", "10.0.0.1")
	s.after(f.emu)
	f.register("s.d", "10.0.0.2")
	s.after(f.emu)
	if s.due() == nil {
		t.Fatal("no save held back")
	}
	<-s.due()
	s.fired()
	s.after(f.emu)
	if b, _ := os.ReadFile(path); !bytes.Contains(b, []byte("s.d")) {
		t.Fatal("the held-back save is not written when due")
	}
}

// Step counts as a change only when a request moved: a request waiting
// for its hosts is not written again at every step.
func TestStepChangesVersionOnlyWhenMoved(t *testing.T) {
	f := newFixture(t, Config{HeartbeatTimeout: time.Hour})
	f.createHDFS(t, byFQDN("m.d", "s.d")) // no host registered yet
	before, _ := f.emu.versions()
	for range 5 {
		f.emu.Step()
	}
	if after, _ := f.emu.versions(); after != before {
		t.Fatalf("a request waiting for its hosts changed the version %d -> %d", before, after)
	}
	f.register("m.d", "10.0.0.1")
	before, _ = f.emu.versions()
	f.emu.Step()
	if after, _ := f.emu.versions(); after == before {
		t.Fatal("a task that moved did not change the version")
	}
}
