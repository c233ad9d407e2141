package disk_test

import (
	"errors"
	iofs "io/fs"
	"slices"
	"strings"
	"testing"

	"jsnode/disk"
	"jsnode/disk/faultfs"
	"jsnode/disk/memfs"
)

func TestCleanPath(t *testing.T) {
	good := map[string]string{
		"": ".", ".": ".", "a": "a", "./a/": "a", "a//b": "a/b", "a/../b": "b", "a/b/..": "a", "a/..": ".",
	}
	for in, want := range good {
		if got, err := disk.CleanPath(in); got != want || err != nil {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"..", "../a", "a/../..", "/", "/a"} {
		if _, err := disk.CleanPath(in); !errors.Is(err, iofs.ErrInvalid) {
			t.Errorf("CleanPath(%q) error %v, want fs.ErrInvalid", in, err)
		}
	}
}

// TestWriteFileAtomicCrash checks that a crash at any point leaves the old
// or the new contents, and that a failed rename leaves the old file and no
// temporary file.
func TestWriteFileAtomicCrash(t *testing.T) {
	fs := memfs.New()
	if err := disk.WriteFileAtomic(fs, "meta", []byte("old")); err != nil {
		t.Fatal(err)
	}
	failing := faultfs.Wrap(fs, faultfs.ErrorOnce(disk.ErrIO, faultfs.OnKinds(faultfs.OpRename)))
	if err := disk.WriteFileAtomic(failing, "meta", []byte("new")); !errors.Is(err, disk.ErrIO) {
		t.Fatalf("WriteFileAtomic with a failing rename = %v, want ErrIO", err)
	}
	if names, _ := fs.List("."); !slices.Equal(names, []string{"meta"}) {
		t.Fatalf("after a failed rename the directory holds %q, want only meta", names)
	}
	// Crash before every step of the replacement and after it.
	crashes := 0
	crashCheck := func(want ...string) {
		t.Helper()
		crashes++
		opts := memfs.CrashOptions{UnsyncedKeepProbability: 0.5, TornWriteProbability: 0.5}
		for seed := range uint64(20) {
			opts.Seed = seed
			got, err := disk.ReadFile(fs.CrashClone(opts), "meta")
			if err != nil || !slices.Contains(want, string(got)) {
				t.Fatalf("crash %d, seed %d: meta = %q, %v; want one of %q", crashes, seed, got, err, want)
			}
		}
	}
	observed := faultfs.Wrap(fs, faultfs.InjectorFunc(func(faultfs.Op, string) error {
		crashCheck("old", "new")
		return nil
	}))
	if err := disk.WriteFileAtomic(observed, "meta", []byte("new")); err != nil {
		t.Fatal(err)
	}
	crashCheck("new")
	if crashes < 6 {
		t.Fatalf("only %d crash points", crashes)
	}
}

func TestAncestors(t *testing.T) {
	for dir, want := range map[string]string{
		"jetstream/$G/streams/S": "jetstream/$G/streams/S jetstream/$G/streams jetstream/$G jetstream .",
		".":                      ".",
		"a/":                     "a .",
	} {
		if got := strings.Join(disk.Ancestors(dir), " "); got != want {
			t.Errorf("Ancestors(%q) = %q, want %q", dir, got, want)
		}
	}
}
