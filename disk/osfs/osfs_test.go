package osfs_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"jsnode/disk"
	"jsnode/disk/internal/fstest"
	"jsnode/disk/osfs"
)

func TestConformance(t *testing.T) {
	fstest.Run(t, func(t *testing.T) disk.FS { return osfs.New(t.TempDir()) })
}

// TestRootedAtDirectory checks that names resolve under the root and
// nothing is written outside it.
func TestRootedAtDirectory(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	fs := osfs.New(root)
	if err := fs.MkdirAll("d"); err != nil {
		t.Fatal(err)
	}
	if err := disk.WriteFileAtomic(fs, "d/f", []byte("data")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "d", "f"))
	if err != nil || string(got) != "data" {
		t.Fatalf("os.ReadFile = %q, %v", got, err)
	}
	if _, err := fs.Create("../escape"); err == nil {
		t.Fatal("Create(../escape) succeeded")
	}
	entries, err := os.ReadDir(parent)
	if err != nil || len(entries) != 1 || entries[0].Name() != "root" {
		t.Fatalf("parent holds %v, %v; want only root", entries, err)
	}
}

func TestErrorMapping(t *testing.T) {
	cases := []struct {
		in   error
		want error
	}{
		{&os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, disk.ErrNoSpace},
		{&os.PathError{Op: "write", Path: "x", Err: syscall.EDQUOT}, disk.ErrNoSpace},
		{&os.PathError{Op: "fsync", Path: "x", Err: syscall.EIO}, disk.ErrIO},
		{&os.PathError{Op: "open", Path: "x", Err: syscall.ENOENT}, disk.ErrNotExist},
		{&os.PathError{Op: "mkdir", Path: "x", Err: syscall.EEXIST}, disk.ErrExist},
		{os.ErrClosed, disk.ErrClosed},
	}
	for _, c := range cases {
		got := osfs.MapErrForTest(c.in)
		if !errors.Is(got, c.want) || !errors.Is(got, c.in) {
			t.Errorf("mapErr(%v) = %v; want it to match %v and the original", c.in, got, c.want)
		}
		if got.Error() != c.in.Error() {
			t.Errorf("mapErr(%v) changed the message to %q", c.in, got.Error())
		}
	}
	if got := osfs.MapErrForTest(syscall.EPERM); got != syscall.EPERM {
		t.Errorf("mapErr(EPERM) = %v, want it unchanged", got)
	}
}
