package powerfs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// mountOrSkip mounts img on a new temporary directory, or skips the test
// where FUSE cannot be mounted (not root, no /dev/fuse, no mount rights).
func mountOrSkip(t *testing.T, img Image) *Mounted {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("powerfs: needs root to mount FUSE")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("powerfs: no /dev/fuse")
	}
	mt, err := Mount(t.TempDir(), img, POSIX)
	if errors.Is(err, ErrNoFUSE) {
		t.Skipf("powerfs: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mt.Unmount)
	return mt
}

func syncPath(t *testing.T, p string) {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		t.Fatalf("fsync %s: %v", p, err)
	}
}

func write(t *testing.T, p, s string, sync bool) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMountedKeepsOnlyWhatWasFsynced drives the mounted file system with
// ordinary system calls and checks the image a cut leaves, then mounts
// that image and reads it back through the kernel.
func TestMountedKeepsOnlyWhatWasFsynced(t *testing.T) {
	mt := mountOrSkip(t, newImage())
	root := mt.Dir
	d := filepath.Join(root, "d")
	if err := os.MkdirAll(filepath.Join(d, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(d, "kept"), "kept bytes", true)
	write(t, filepath.Join(d, "nosync"), "lost bytes", false)
	write(t, filepath.Join(d, "tmp"), "renamed", true)
	if err := os.Rename(filepath.Join(d, "tmp"), filepath.Join(d, "final")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(d, "sub", "orphan"), "no dir sync", true)
	syncPath(t, d)
	syncPath(t, root)
	write(t, filepath.Join(d, "late"), "after the dir sync", true)
	if b, err := os.ReadFile(filepath.Join(d, "nosync")); err != nil || string(b) != "lost bytes" {
		t.Fatalf("live read: %q %v", b, err)
	}
	if ents, err := os.ReadDir(d); err != nil || len(ents) != 5 {
		t.Fatalf("live readdir: %v %v", ents, err)
	}
	img := mt.Cut()
	wantImage(t, img, []string{"d", "d/sub"}, map[string]string{"d/kept": "kept bytes", "d/nosync": "", "d/final": "renamed"})
	if _, err := os.Stat(filepath.Join(d, "kept")); err == nil {
		t.Fatal("the file system still answers after the cut")
	}

	again := mountOrSkip(t, img)
	b, err := os.ReadFile(filepath.Join(again.Dir, "d", "final"))
	if err != nil || string(b) != "renamed" {
		t.Fatalf("after remount: %q %v", b, err)
	}
	ents, err := os.ReadDir(filepath.Join(again.Dir, "d"))
	if err != nil || len(ents) != 4 {
		t.Fatalf("readdir after remount: %v %v", ents, err)
	}
}
