// Package fstest is the conformance suite every disk.FS implementation
// runs: the behaviour the rest of jsnode may rely on, checked the same way
// against real files (disk/osfs), memory (disk/memfs) and the fault-free
// wrapper (disk/faultfs).
//
// Besides the disk.FS doc comments, the suite pins down the offset model:
// Write appends at the current end of the file, Read has its own offset
// starting at 0, ReadAt/WriteAt use neither; writing a file opened with
// Open fails with fs.ErrPermission; any use of a closed file fails with
// disk.ErrClosed; operations on paths outside the root fail with
// fs.ErrInvalid.
package fstest

import (
	"bytes"
	"errors"
	"io"
	iofs "io/fs"
	"slices"
	"testing"

	"jsnode/disk"
)

// Run checks the disk.FS contract against file systems from newFS, which
// must return a fresh, empty file system for each call.
func Run(t *testing.T, newFS func(t *testing.T) disk.FS) {
	cases := []struct {
		name string
		fn   func(t *testing.T, fs disk.FS)
	}{
		{"CreateWriteRead", testCreateWriteRead},
		{"ReadAt", testReadAt},
		{"WriteAtExtends", testWriteAtExtends},
		{"Truncate", testTruncate},
		{"OpenReadWriteAppends", testOpenReadWriteAppends},
		{"CreateTruncatesExisting", testCreateTruncatesExisting},
		{"ReadOnly", testReadOnly},
		{"Closed", testClosed},
		{"NotExist", testNotExist},
		{"Rename", testRename},
		{"Remove", testRemove},
		{"RemoveAll", testRemoveAll},
		{"MkdirAllListStat", testMkdirAllListStat},
		{"SyncDir", testSyncDir},
		{"InvalidPaths", testInvalidPaths},
		{"AtomicHelpers", testAtomicHelpers},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newFS(t)) })
	}
}

// writeFile creates name with data, syncs and closes it.
func writeFile(t *testing.T, fs disk.FS, name, data string) {
	t.Helper()
	f, err := fs.Create(name)
	if err != nil {
		t.Fatalf("Create(%q): %v", name, err)
	}
	if n, err := f.Write([]byte(data)); err != nil || n != len(data) {
		t.Fatalf("Write(%q) = %d, %v", name, n, err)
	}
	if err := f.Sync(); err != nil {
		t.Fatalf("Sync(%q): %v", name, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("Close(%q): %v", name, err)
	}
}

// readFile returns the contents of name, failing the test on error.
func readFile(t *testing.T, fs disk.FS, name string) string {
	t.Helper()
	data, err := disk.ReadFile(fs, name)
	if err != nil {
		t.Fatalf("ReadFile(%q): %v", name, err)
	}
	return string(data)
}

func mustSize(t *testing.T, f disk.File, want int64) {
	t.Helper()
	got, err := f.Size()
	if err != nil || got != want {
		t.Fatalf("Size() = %d, %v; want %d", got, err, want)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want one matching %v", what, err, target)
	}
}

func testCreateWriteRead(t *testing.T, fs disk.FS) {
	f, err := fs.Create("a")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"hello", " ", "world"} {
		if n, err := f.Write([]byte(s)); err != nil || n != len(s) {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	mustSize(t, f, 11)
	// Read has its own offset, starting at 0, independent of appends.
	buf := make([]byte, 5)
	if n, err := f.Read(buf); err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := fs.Open("a")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	all, err := io.ReadAll(r)
	if err != nil || string(all) != "hello world" {
		t.Fatalf("ReadAll = %q, %v", all, err)
	}
	if n, err := r.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("Read at end = %d, %v; want 0, io.EOF", n, err)
	}
	mustSize(t, r, 11)
}

func testReadAt(t *testing.T, fs disk.FS) {
	writeFile(t, fs, "a", "0123456789")
	f, err := fs.Open("a")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4)
	if n, err := f.ReadAt(buf, 3); n != 4 || err != nil || string(buf) != "3456" {
		t.Fatalf("ReadAt(3) = %d, %v, %q", n, err, buf)
	}
	if n, err := f.ReadAt(buf, 8); n != 2 || err != io.EOF || string(buf[:n]) != "89" {
		t.Fatalf("ReadAt(8) = %d, %v, %q; want 2, io.EOF, \"89\"", n, err, buf[:n])
	}
	if n, err := f.ReadAt(buf, 10); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt(10) = %d, %v; want 0, io.EOF", n, err)
	}
	if n, err := f.ReadAt(buf, 20); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt(20) = %d, %v; want 0, io.EOF", n, err)
	}
	if _, err := f.ReadAt(buf, -1); err == nil {
		t.Fatal("ReadAt(-1) succeeded")
	}
	// ReadAt does not move the Read offset.
	if n, err := f.Read(buf); n != 4 || err != nil || string(buf) != "0123" {
		t.Fatalf("Read after ReadAt = %d, %v, %q", n, err, buf)
	}
}

func testWriteAtExtends(t *testing.T, fs disk.FS) {
	f, err := fs.Create("a")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, err := f.WriteAt([]byte("xy"), 4); n != 2 || err != nil {
		t.Fatalf("WriteAt = %d, %v", n, err)
	}
	mustSize(t, f, 6)
	if _, err := f.WriteAt([]byte("AB"), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("z"), -1); err == nil {
		t.Fatal("WriteAt(-1) succeeded")
	}
	// Write appends after the WriteAt extension.
	if _, err := f.Write([]byte("!")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 7)
	if _, err := f.ReadAt(got, 0); err != nil {
		t.Fatal(err)
	}
	if want := []byte("\x00AB\x00xy!"); !bytes.Equal(got, want) {
		t.Fatalf("contents %q, want %q", got, want)
	}
}

func testTruncate(t *testing.T, fs disk.FS) {
	writeFile(t, fs, "a", "abcdef")
	f, err := fs.OpenReadWrite("a")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(3); err != nil {
		t.Fatal(err)
	}
	mustSize(t, f, 3)
	if err := f.Truncate(5); err != nil {
		t.Fatal(err)
	}
	mustSize(t, f, 5)
	if err := f.Truncate(-1); err == nil {
		t.Fatal("Truncate(-1) succeeded")
	}
	if got := readFile(t, fs, "a"); got != "abc\x00\x00" {
		t.Fatalf("after truncates: %q", got)
	}
}

func testOpenReadWriteAppends(t *testing.T, fs disk.FS) {
	writeFile(t, fs, "log", "1234")
	f, err := fs.OpenReadWrite("log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 2)
	if n, err := f.Read(buf); n != 2 || err != nil || string(buf) != "12" {
		t.Fatalf("Read = %d, %v, %q", n, err, buf)
	}
	if _, err := f.Write([]byte("56")); err != nil {
		t.Fatal(err)
	}
	// Recovery pattern: cut a torn tail, then keep appending at the new end.
	if err := f.Truncate(3); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("X")); err != nil {
		t.Fatal(err)
	}
	if n, err := f.Read(buf); n != 2 || err != nil || string(buf) != "3X" {
		t.Fatalf("Read = %d, %v, %q", n, err, buf)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, fs, "log"); got != "123X" {
		t.Fatalf("contents %q, want 123X", got)
	}
}

func testCreateTruncatesExisting(t *testing.T, fs disk.FS) {
	writeFile(t, fs, "a", "old contents")
	writeFile(t, fs, "a", "new")
	if got := readFile(t, fs, "a"); got != "new" {
		t.Fatalf("contents %q, want new", got)
	}
}

func testReadOnly(t *testing.T, fs disk.FS) {
	writeFile(t, fs, "a", "abc")
	f, err := fs.Open("a")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = f.Write([]byte("x"))
	wantErr(t, "Write on read-only file", err, iofs.ErrPermission)
	_, err = f.WriteAt([]byte("x"), 0)
	wantErr(t, "WriteAt on read-only file", err, iofs.ErrPermission)
	wantErr(t, "Truncate on read-only file", f.Truncate(0), iofs.ErrPermission)
	if got := readFile(t, fs, "a"); got != "abc" {
		t.Fatalf("contents %q after refused writes", got)
	}
}

func testClosed(t *testing.T, fs disk.FS) {
	f, err := fs.Create("a")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	_, err = f.Read(buf)
	wantErr(t, "Read after Close", err, disk.ErrClosed)
	_, err = f.ReadAt(buf, 0)
	wantErr(t, "ReadAt after Close", err, disk.ErrClosed)
	_, err = f.Write(buf)
	wantErr(t, "Write after Close", err, disk.ErrClosed)
	_, err = f.WriteAt(buf, 0)
	wantErr(t, "WriteAt after Close", err, disk.ErrClosed)
	wantErr(t, "Sync after Close", f.Sync(), disk.ErrClosed)
	_, err = f.Size()
	wantErr(t, "Size after Close", err, disk.ErrClosed)
	wantErr(t, "Truncate after Close", f.Truncate(0), disk.ErrClosed)
	wantErr(t, "second Close", f.Close(), disk.ErrClosed)
}

func testNotExist(t *testing.T, fs disk.FS) {
	_, err := fs.Open("missing")
	wantErr(t, "Open", err, disk.ErrNotExist)
	_, err = fs.OpenReadWrite("missing")
	wantErr(t, "OpenReadWrite", err, disk.ErrNotExist)
	_, err = fs.Create("nodir/a")
	wantErr(t, "Create in missing dir", err, disk.ErrNotExist)
	_, err = fs.Stat("missing")
	wantErr(t, "Stat", err, disk.ErrNotExist)
	_, err = fs.List("missing")
	wantErr(t, "List", err, disk.ErrNotExist)
	wantErr(t, "Remove", fs.Remove("missing"), disk.ErrNotExist)
	wantErr(t, "Rename", fs.Rename("missing", "b"), disk.ErrNotExist)
	wantErr(t, "SyncDir", fs.SyncDir("missing"), disk.ErrNotExist)
	wantErr(t, "ReadFile", func() error { _, err := disk.ReadFile(fs, "missing"); return err }(), disk.ErrNotExist)
}

func testRename(t *testing.T, fs disk.FS) {
	writeFile(t, fs, "a", "A")
	writeFile(t, fs, "b", "B")
	if err := fs.Rename("a", "b"); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, fs, "b"); got != "A" {
		t.Fatalf("b = %q after rename over it, want A", got)
	}
	_, err := fs.Stat("a")
	wantErr(t, "Stat old name", err, disk.ErrNotExist)
	if err := fs.MkdirAll("d"); err != nil {
		t.Fatal(err)
	}
	if err := fs.Rename("b", "d/c"); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, fs, "d/c"); got != "A" {
		t.Fatalf("d/c = %q, want A", got)
	}
	// An open handle follows the file across renames.
	f, err := fs.OpenReadWrite("d/c")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := fs.Rename("d/c", "e"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("+")); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, fs, "e"); got != "A+" {
		t.Fatalf("e = %q, want A+", got)
	}
	if names := mustList(t, fs, "."); !slices.Equal(names, []string{"d", "e"}) {
		t.Fatalf("List(.) = %q", names)
	}
}

func testRemove(t *testing.T, fs disk.FS) {
	writeFile(t, fs, "a", "A")
	if err := fs.Remove("a"); err != nil {
		t.Fatal(err)
	}
	_, err := fs.Stat("a")
	wantErr(t, "Stat removed", err, disk.ErrNotExist)
	if err := fs.MkdirAll("d"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, fs, "d/x", "X")
	if err := fs.Remove("d"); err == nil {
		t.Fatal("Remove of a non-empty directory succeeded")
	}
	if err := fs.Remove("d/x"); err != nil {
		t.Fatal(err)
	}
	if err := fs.Remove("d"); err != nil {
		t.Fatalf("Remove of an empty directory: %v", err)
	}
	if names := mustList(t, fs, "."); len(names) != 0 {
		t.Fatalf("List(.) = %q, want empty", names)
	}
}

func testRemoveAll(t *testing.T, fs disk.FS) {
	if err := fs.MkdirAll("a/b/c"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, fs, "a/b/c/f", "F")
	writeFile(t, fs, "a/g", "G")
	writeFile(t, fs, "keep", "K")
	if err := fs.RemoveAll("a"); err != nil {
		t.Fatal(err)
	}
	if err := fs.RemoveAll("a"); err != nil {
		t.Fatalf("RemoveAll of a missing path: %v", err)
	}
	if names := mustList(t, fs, "."); !slices.Equal(names, []string{"keep"}) {
		t.Fatalf("List(.) = %q, want [keep]", names)
	}
}

func mustList(t *testing.T, fs disk.FS, dir string) []string {
	t.Helper()
	names, err := fs.List(dir)
	if err != nil {
		t.Fatalf("List(%q): %v", dir, err)
	}
	return names
}

func testMkdirAllListStat(t *testing.T, fs disk.FS) {
	for _, d := range []string{"x/y/z", "x/y", "x/a", "x/y/z"} {
		if err := fs.MkdirAll(d); err != nil {
			t.Fatalf("MkdirAll(%q): %v", d, err)
		}
	}
	for _, n := range []string{"x/y/m", "x/b", "x/B", "x/0"} {
		writeFile(t, fs, n, n)
	}
	if names := mustList(t, fs, "x"); !slices.Equal(names, []string{"0", "B", "a", "b", "y"}) {
		t.Fatalf("List(x) = %q", names)
	}
	if names := mustList(t, fs, "./x/y/"); !slices.Equal(names, []string{"m", "z"}) {
		t.Fatalf("List(x/y) = %q", names)
	}
	if names := mustList(t, fs, "x/y/z"); len(names) != 0 {
		t.Fatalf("List(x/y/z) = %q, want empty", names)
	}
	fi, err := fs.Stat("x/y/m")
	if err != nil || fi != (disk.FileInfo{Name: "m", Size: 5}) {
		t.Fatalf("Stat(x/y/m) = %+v, %v", fi, err)
	}
	fi, err = fs.Stat("x/y")
	if err != nil || fi != (disk.FileInfo{Name: "y", IsDir: true}) {
		t.Fatalf("Stat(x/y) = %+v, %v", fi, err)
	}
	if fi, err := fs.Stat("."); err != nil || !fi.IsDir {
		t.Fatalf("Stat(.) = %+v, %v", fi, err)
	}
	if err := fs.MkdirAll("x/b/c"); err == nil {
		t.Fatal("MkdirAll through a file succeeded")
	}
	if _, err := fs.List("x/b"); err == nil {
		t.Fatal("List of a file succeeded")
	}
}

func testSyncDir(t *testing.T, fs disk.FS) {
	if err := fs.MkdirAll("d"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, fs, "d/a", "A")
	for _, d := range []string{"d", ".", ""} {
		if err := fs.SyncDir(d); err != nil {
			t.Fatalf("SyncDir(%q): %v", d, err)
		}
	}
}

func testInvalidPaths(t *testing.T, fs disk.FS) {
	for _, p := range []string{"..", "../x", "a/../../x", "/abs"} {
		_, err := fs.Create(p)
		wantErr(t, "Create("+p+")", err, iofs.ErrInvalid)
		_, err = fs.Open(p)
		wantErr(t, "Open("+p+")", err, iofs.ErrInvalid)
		_, err = fs.Stat(p)
		wantErr(t, "Stat("+p+")", err, iofs.ErrInvalid)
		wantErr(t, "MkdirAll("+p+")", fs.MkdirAll(p), iofs.ErrInvalid)
		wantErr(t, "Rename to "+p, fs.Rename("x", p), iofs.ErrInvalid)
	}
	for _, p := range []string{".", "", "a/.."} {
		wantErr(t, "Remove("+p+")", fs.Remove(p), iofs.ErrInvalid)
		wantErr(t, "RemoveAll("+p+")", fs.RemoveAll(p), iofs.ErrInvalid)
	}
	// A ".." that stays inside the root is fine.
	writeFile(t, fs, "a/../b", "B")
	if got := readFile(t, fs, "b"); got != "B" {
		t.Fatalf("b = %q", got)
	}
}

func testAtomicHelpers(t *testing.T, fs disk.FS) {
	if err := fs.MkdirAll("snap"); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{"first", "second, longer", ""} {
		if err := disk.WriteFileAtomic(fs, "snap/meta", []byte(data)); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, fs, "snap/meta"); got != data {
			t.Fatalf("snap/meta = %q, want %q", got, data)
		}
	}
	if names := mustList(t, fs, "snap"); !slices.Equal(names, []string{"meta"}) {
		t.Fatalf("List(snap) = %q, want only meta", names)
	}
	err := disk.WriteFileAtomic(fs, "nodir/meta", []byte("x"))
	wantErr(t, "WriteFileAtomic into a missing dir", err, disk.ErrNotExist)
}
