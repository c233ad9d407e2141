package sim

import (
	"bytes"
	"errors"
	"math/bits"
	"testing"

	"jsnode/disk"
)

func writeSynced(t *testing.T, fs disk.FS, name string, data []byte) (disk.File, error) {
	t.Helper()
	f, err := fs.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		return f, err
	}
	return f, f.Sync()
}

// TestHostDiskEIOFiresOnce: an armed EIO fails the next op of its kind
// only, and a failed sync stays failed on that handle.
func TestHostDiskEIOFiresOnce(t *testing.T) {
	w := NewWorld(1, Options{})
	h := w.Host("a")
	h.disk.eio[diskSync] = true
	f, err := writeSynced(t, h.FS(), "x", []byte("abc"))
	if !errors.Is(err, disk.ErrIO) {
		t.Fatalf("first sync = %v, want EIO", err)
	}
	if err := f.Sync(); !errors.Is(err, disk.ErrIO) {
		t.Fatalf("retried sync on the same handle = %v, want EIO (poisoned)", err)
	}
	if _, err := writeSynced(t, h.FS(), "y", []byte("abc")); err != nil {
		t.Fatalf("second file's sync = %v; the EIO fires once", err)
	}
	h.disk.eio[diskWrite] = true
	if _, err := writeSynced(t, h.FS(), "z", []byte("abc")); !errors.Is(err, disk.ErrIO) {
		t.Fatalf("write = %v, want EIO", err)
	}
	if h.disk.injected != 2 {
		t.Fatalf("injected = %d, want 2", h.disk.injected)
	}
}

// TestHostDiskFull: while full, sized writes fail with ENOSPC; after the
// heal they succeed.
func TestHostDiskFull(t *testing.T) {
	w := NewWorld(1, Options{})
	h := w.Host("a")
	h.disk.full = true
	if _, err := writeSynced(t, h.FS(), "x", []byte("abc")); !errors.Is(err, disk.ErrNoSpace) {
		t.Fatalf("write on a full disk = %v, want ENOSPC", err)
	}
	h.disk.heal()
	if _, err := writeSynced(t, h.FS(), "x", []byte("abc")); err != nil {
		t.Fatalf("write after the heal = %v", err)
	}
}

// TestHostDiskBitflips: a damaged read differs from the stored bytes in
// exactly one bit and leaves them intact; a flip at rest changes exactly
// one stored bit, which survives a crash.
func TestHostDiskBitflips(t *testing.T) {
	w := NewWorld(7, Options{})
	h := w.Host("a")
	data := bytes.Repeat([]byte{0x5a}, 64)
	if _, err := writeSynced(t, h.FS(), "f", data); err != nil {
		t.Fatal(err)
	}
	if err := h.FS().SyncDir("."); err != nil {
		t.Fatal(err)
	}
	read := func() []byte {
		got, err := disk.ReadFile(h.FS(), "f")
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	h.disk.flipReads = 1
	if d := bitDiff(read(), data); d != 1 {
		t.Fatalf("damaged read differs in %d bits, want 1", d)
	}
	if d := bitDiff(read(), data); d != 0 {
		t.Fatalf("reread differs in %d bits; the stored bytes must be intact", d)
	}
	if !h.disk.flipAtRest() {
		t.Fatal("no stored file to flip")
	}
	w.Crash("a")
	w.Restart("a")
	if d := bitDiff(read(), data); d != 1 {
		t.Fatalf("after a flip at rest and a crash the file differs in %d bits, want 1", d)
	}
	if h.disk.corruptedOnRead != 1 || h.disk.corruptedAtRest != 1 {
		t.Fatalf("counted %d damaged reads and %d flips at rest, want 1 and 1", h.disk.corruptedOnRead, h.disk.corruptedAtRest)
	}
}

func bitDiff(a, b []byte) int {
	if len(a) != len(b) {
		return -1
	}
	n := 0
	for i := range a {
		n += bits.OnesCount8(a[i] ^ b[i])
	}
	return n
}
