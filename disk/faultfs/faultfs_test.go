package faultfs

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"jsnode/disk"
	"jsnode/disk/internal/fstest"
	"jsnode/disk/memfs"
)

var errInjected = errors.New("injected")

func TestConformance(t *testing.T) {
	t.Run("nil", func(t *testing.T) {
		fstest.Run(t, func(t *testing.T) disk.FS { return Wrap(memfs.New(), nil) })
	})
	t.Run("quiet injectors", func(t *testing.T) {
		fstest.Run(t, func(t *testing.T) disk.FS {
			quiet := Any(DiskFull(1<<30), ErrorAlways(errInjected, PathMatch("never/")),
				Random(1, 0, errInjected, nil))
			return Wrap(memfs.New(), quiet)
		})
	})
}

// recorder notes every op and path it is asked about.
type recorder struct{ calls []string }

func (r *recorder) MaybeError(op Op, path string) error {
	r.calls = append(r.calls, op.String()+" "+path)
	return nil
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestEveryCallIsReported(t *testing.T) {
	rec := &recorder{}
	fs := Wrap(memfs.New(), rec)
	must(t, fs.MkdirAll("./d"))
	f, err := fs.Create("d//a")
	must(t, err)
	buf := make([]byte, 1)
	_, err = f.Write(buf)
	must(t, err)
	_, err = f.WriteAt(buf, 0)
	must(t, err)
	_, err = f.Read(buf)
	must(t, err)
	_, err = f.ReadAt(buf, 0)
	must(t, err)
	must(t, f.Sync())
	_, err = f.Size()
	must(t, err)
	must(t, f.Truncate(0))
	must(t, f.Close())
	g, err := fs.Open("d/a")
	must(t, err)
	must(t, g.Close())
	g, err = fs.OpenReadWrite("d/a")
	must(t, err)
	must(t, g.Close())
	_, err = fs.List("d")
	must(t, err)
	_, err = fs.Stat("d/a")
	must(t, err)
	must(t, fs.SyncDir("d"))
	must(t, fs.Rename("d/a", "d/b"))
	must(t, fs.Remove("d/b"))
	must(t, fs.RemoveAll("d"))
	want := []string{
		"MkdirAll d", "Create d/a", "File.Write d/a", "File.WriteAt d/a", "File.Read d/a",
		"File.ReadAt d/a", "File.Sync d/a", "File.Size d/a", "File.Truncate d/a", "File.Close d/a",
		"Open d/a", "File.Close d/a", "OpenReadWrite d/a", "File.Close d/a", "List d", "Stat d/a",
		"SyncDir d", "Rename d/a", "Remove d/b", "RemoveAll d",
	}
	if !slices.Equal(rec.calls, want) {
		t.Fatalf("reported\n%q\nwant\n%q", rec.calls, want)
	}
	seen := map[string]bool{}
	for _, c := range rec.calls {
		seen[strings.Fields(c)[0]] = true
	}
	for _, op := range Ops() {
		if !seen[op.String()] {
			t.Errorf("%v never reported", op)
		}
	}
}

func TestOpClasses(t *testing.T) {
	names := map[string]bool{}
	for _, op := range Ops() {
		if op.IsRead() == op.IsWrite() {
			t.Errorf("%v: IsRead %v, IsWrite %v; want exactly one", op, op.IsRead(), op.IsWrite())
		}
		if op.IsSync() && !op.IsWrite() {
			t.Errorf("%v is a sync but not a write", op)
		}
		if s := op.String(); names[s] || strings.HasPrefix(s, "Op(") {
			t.Errorf("%v: duplicate or missing name", op)
		}
		names[op.String()] = true
	}
	if got := len(Ops()); got != 18 {
		t.Errorf("%d ops, want 18", got)
	}
	if Op(99).IsRead() || Op(99).IsWrite() || Op(99).String() != "Op(99)" {
		t.Error("an unknown op is classified")
	}
}

func TestErrorOnce(t *testing.T) {
	fs := Wrap(memfs.New(), ErrorOnce(errInjected, OnKinds(OpFileWrite)))
	f, err := fs.Create("a")
	must(t, err)
	n, err := f.Write([]byte("lost"))
	if n != 0 || !errors.Is(err, errInjected) {
		t.Fatalf("first Write = %d, %v; want 0 and the injected error", n, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "File.Write") || !strings.Contains(msg, `"a"`) {
		t.Errorf("error %q does not name the op and path", msg)
	}
	_, err = f.WriteAt([]byte("at"), 0)
	must(t, err)
	_, err = f.Write([]byte("!"))
	must(t, err)
	must(t, f.Close())
	data, err := disk.ReadFile(fs, "a")
	if err != nil || string(data) != "at!" {
		t.Fatalf("a = %q, %v; want at!", data, err)
	}
}

func TestErrorAlwaysPathMatch(t *testing.T) {
	cases := []struct {
		pattern    string
		fail, pass []string
	}{
		{"db/*.blk", []string{"db/1.blk", "./db/22.blk"}, []string{"db/1.idx", "1.blk", "db/s/1.blk"}},
		{"db/", []string{"db/1.blk", "db/s/x"}, []string{"dbx", "x/db/1"}},
		{"[", nil, []string{"[", "db/1.blk"}},
	}
	for _, c := range cases {
		fs := Wrap(memfs.New(), ErrorAlways(errInjected, PathMatch(c.pattern)))
		for _, p := range c.fail {
			if err := fs.MkdirAll(p); !errors.Is(err, errInjected) {
				t.Errorf("%q: MkdirAll(%q) = %v, want injected", c.pattern, p, err)
			}
		}
		for _, p := range c.pass {
			if err := fs.MkdirAll(p); err != nil {
				t.Errorf("%q: MkdirAll(%q) = %v, want success", c.pattern, p, err)
			}
		}
	}
}

// outcome runs every kind of call once on a fresh wrapped memfs (with a
// file "f" and directory "d" made beforehand, unwrapped) and returns the
// ops that failed with errInjected.
func outcome(t *testing.T, inj Injector) []Op {
	inner := memfs.New()
	must(t, inner.MkdirAll("d"))
	must(t, disk.WriteFileAtomic(inner, "f", []byte("abc")))
	fs := Wrap(inner, inj)
	var failed []Op
	note := func(op Op, err error) {
		if errors.Is(err, errInjected) {
			failed = append(failed, op)
		}
	}
	ff, err := inner.OpenReadWrite("f")
	must(t, err)
	f := &file{fs: fs.(*FS), inner: ff, name: "f"}
	buf := make([]byte, 1)
	_, err = fs.Create("g")
	note(OpCreate, err)
	_, err = fs.Open("f")
	note(OpOpen, err)
	_, err = fs.OpenReadWrite("f")
	note(OpOpenReadWrite, err)
	note(OpMkdirAll, fs.MkdirAll("e"))
	_, err = fs.List("d")
	note(OpList, err)
	_, err = fs.Stat("f")
	note(OpStat, err)
	note(OpSyncDir, fs.SyncDir("d"))
	_, err = f.Read(buf)
	note(OpFileRead, err)
	_, err = f.ReadAt(buf, 0)
	note(OpFileReadAt, err)
	_, err = f.Write(buf)
	note(OpFileWrite, err)
	_, err = f.WriteAt(buf, 0)
	note(OpFileWriteAt, err)
	note(OpFileSync, f.Sync())
	_, err = f.Size()
	note(OpFileSize, err)
	note(OpFileTruncate, f.Truncate(1))
	note(OpFileClose, f.Close())
	note(OpRename, fs.Rename("f", "h"))
	note(OpRemove, fs.Remove("d"))
	note(OpRemoveAll, fs.RemoveAll("e"))
	slices.Sort(failed)
	return failed
}

func TestPredicatesSelectIntendedOps(t *testing.T) {
	cases := []struct {
		name string
		pred Predicate
		want []Op
	}{
		{"Reads", Reads(), []Op{OpOpen, OpList, OpStat, OpFileRead, OpFileReadAt, OpFileSize, OpFileClose}},
		{"Writes", Writes(), []Op{OpCreate, OpOpenReadWrite, OpRemove, OpRemoveAll, OpRename, OpMkdirAll,
			OpSyncDir, OpFileWrite, OpFileWriteAt, OpFileSync, OpFileTruncate}},
		{"Syncs", Syncs(), []Op{OpSyncDir, OpFileSync}},
		{"OnKinds", OnKinds(OpStat, OpFileTruncate), []Op{OpStat, OpFileTruncate}},
		{"And", And(Writes(), PathMatch("d")), []Op{OpRemove, OpSyncDir}},
		{"Or", Or(Syncs(), OnKinds(OpList)), []Op{OpList, OpSyncDir, OpFileSync}},
		{"Not", Not(Or(Reads(), Syncs())), []Op{OpCreate, OpOpenReadWrite, OpRemove, OpRemoveAll,
			OpRename, OpMkdirAll, OpFileWrite, OpFileWriteAt, OpFileTruncate}},
		{"nil", nil, Ops()},
	}
	for _, c := range cases {
		if got := outcome(t, ErrorAlways(errInjected, c.pred)); !slices.Equal(got, c.want) {
			t.Errorf("%s: failed ops %v, want %v", c.name, got, c.want)
		}
	}
}

func TestFailedSyncIsIOErrorAndSticky(t *testing.T) {
	inner := memfs.New()
	fs := Wrap(inner, ErrorOnce(errInjected, OnKinds(OpFileSync)))
	f, err := fs.Create("a")
	must(t, err)
	must(t, fs.SyncDir("."))
	_, err = f.Write([]byte("data"))
	must(t, err)
	err = f.Sync()
	if !errors.Is(err, disk.ErrIO) || !errors.Is(err, errInjected) {
		t.Fatalf("failed Sync = %v; want ErrIO and the injected error", err)
	}
	// The injector is spent, yet a retry must not report durability.
	if err := f.Sync(); !errors.Is(err, disk.ErrIO) {
		t.Fatalf("retried Sync = %v, want ErrIO", err)
	}
	data, err := disk.ReadFile(inner.CrashClone(memfs.CrashOptions{}), "a")
	if err != nil || len(data) != 0 {
		t.Fatalf("after crash a = %q, %v; want empty (data never synced)", data, err)
	}
	if err := Wrap(memfs.New(), ErrorOnce(disk.ErrIO, nil)).SyncDir("."); !errors.Is(err, disk.ErrIO) {
		t.Fatalf("failed SyncDir = %v, want ErrIO", err)
	}
}

func TestCloseFailureStillCloses(t *testing.T) {
	fs := Wrap(memfs.New(), ErrorAlways(errInjected, OnKinds(OpFileClose)))
	f, err := fs.Create("a")
	must(t, err)
	if err := f.Close(); !errors.Is(err, errInjected) {
		t.Fatalf("Close = %v, want injected", err)
	}
	if _, err := f.Size(); !errors.Is(err, disk.ErrClosed) {
		t.Fatalf("Size after failed Close = %v, want ErrClosed", err)
	}
}

func TestDiskFull(t *testing.T) {
	fs := Wrap(memfs.New(), DiskFull(10))
	f, err := fs.Create("a")
	must(t, err)
	steps := []struct {
		n    int
		full bool
	}{{6, false}, {5, true}, {4, false}, {1, true}, {0, false}}
	size := int64(0)
	for i, s := range steps {
		n, err := f.Write(make([]byte, s.n))
		if s.full != errors.Is(err, disk.ErrNoSpace) || (!s.full && err != nil) {
			t.Fatalf("step %d: Write(%d bytes) = %d, %v; want full=%v", i, s.n, n, err, s.full)
		}
		if !s.full {
			size += int64(s.n)
		}
		if got, _ := f.Size(); got != size {
			t.Fatalf("step %d: size %d, want %d (a refused write writes nothing)", i, got, size)
		}
	}
	if _, err := f.WriteAt([]byte{1}, 0); !errors.Is(err, disk.ErrNoSpace) {
		t.Fatalf("WriteAt on a full disk = %v, want ErrNoSpace", err)
	}
	if _, err := fs.Create("b"); err != nil {
		t.Fatalf("Create on a full disk = %v; only writes use space", err)
	}
}

func TestAnyFirstErrorWins(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("b")
	fs := Wrap(memfs.New(), Any(
		ErrorAlways(errA, OnKinds(OpStat)),
		ErrorAlways(errB, OnKinds(OpStat, OpList)),
		DiskFull(3),
	))
	if _, err := fs.Stat("x"); !errors.Is(err, errA) || errors.Is(err, errB) {
		t.Fatalf("Stat = %v, want only a", err)
	}
	if _, err := fs.List("."); !errors.Is(err, errB) {
		t.Fatalf("List = %v, want b", err)
	}
	f, err := fs.Create("f")
	must(t, err)
	if _, err := f.Write([]byte("abcd")); !errors.Is(err, disk.ErrNoSpace) {
		t.Fatalf("Write past DiskFull inside Any = %v, want ErrNoSpace", err)
	}
	if _, err := f.Write([]byte("abc")); err != nil {
		t.Fatalf("Write within DiskFull inside Any = %v", err)
	}
}

// randomPattern returns which of 200 Stat calls (and 200 List calls, which
// pred excludes) fail under Random(seed, 0.5).
func randomPattern(t *testing.T, seed uint64) string {
	fs := Wrap(memfs.New(), Random(seed, 0.5, errInjected, OnKinds(OpStat)))
	var b strings.Builder
	for range 200 {
		_, err := fs.Stat(".")
		if errors.Is(err, errInjected) {
			b.WriteByte('x')
		} else {
			must(t, err)
			b.WriteByte('.')
		}
		if _, err := fs.List("."); err != nil {
			t.Fatalf("List failed though the predicate excludes it: %v", err)
		}
	}
	return b.String()
}

func TestRandomIsDeterministic(t *testing.T) {
	a, b, c := randomPattern(t, 7), randomPattern(t, 7), randomPattern(t, 8)
	if a != b {
		t.Fatalf("same seed, different faults:\n%s\n%s", a, b)
	}
	if a == c {
		t.Fatal("seeds 7 and 8 gave the same faults")
	}
	if n := strings.Count(a, "x"); n < 70 || n > 130 {
		t.Fatalf("%d of 200 calls failed at probability 0.5", n)
	}
	for _, p := range []float64{0, 1} {
		fs := Wrap(memfs.New(), Random(1, p, errInjected, nil))
		for i := range 50 {
			if _, err := fs.Stat("."); errors.Is(err, errInjected) != (p == 1) {
				t.Fatalf("probability %v, call %d: %v", p, i, err)
			}
		}
	}
}

func ExampleWrap() {
	fs := Wrap(memfs.New(), ErrorOnce(disk.ErrNoSpace, And(OnKinds(OpCreate), PathMatch("*.tmp"))))
	err := disk.WriteFileAtomic(fs, "meta", []byte("v1"))
	fmt.Println(errors.Is(err, disk.ErrNoSpace))
	fmt.Println(disk.WriteFileAtomic(fs, "meta", []byte("v1")))
	// Output:
	// true
	// <nil>
}

// flipFirst flips bit 0 of the first byte of every read of one path.
type flipFirst struct{ path string }

func (flipFirst) MaybeError(Op, string) error { return nil }

func (f flipFirst) CorruptRead(_ Op, p string, b []byte) {
	if p == f.path {
		b[0] ^= 1
	}
}

func TestReadCorrupterDamagesReadsOnly(t *testing.T) {
	inner := memfs.New()
	fs := Wrap(inner, flipFirst{path: "a"})
	w, err := fs.Create("a")
	must(t, err)
	_, err = w.Write([]byte{0x10, 0x20})
	must(t, err)
	buf := make([]byte, 2)
	if n, err := w.ReadAt(buf, 0); n != 2 || err != nil || buf[0] != 0x11 || buf[1] != 0x20 {
		t.Fatalf("ReadAt through the wrapper = %d, %v, % x; want 2 bytes 11 20", n, err, buf)
	}
	r, err := inner.Open("a")
	must(t, err)
	if n, err := r.ReadAt(buf, 0); n != 2 || err != nil || buf[0] != 0x10 {
		t.Fatalf("stored bytes = % x (%v); the file must be untouched", buf[:n], err)
	}
	other, err := fs.Create("b")
	must(t, err)
	_, err = other.Write([]byte{7})
	must(t, err)
	if _, err := other.ReadAt(buf[:1], 0); err != nil || buf[0] != 7 {
		t.Fatalf("read of another path = % x, %v; want 07", buf[:1], err)
	}
}

// shortBy3 makes every read of at most 3 bytes.
type shortBy3 struct{}

func (shortBy3) MaybeError(Op, string) error   { return nil }
func (shortBy3) ShortRead(_ string, n int) int { return 3 }

func TestShortReaderShortensSequentialReadsOnly(t *testing.T) {
	inner := memfs.New()
	w, err := inner.Create("a")
	must(t, err)
	_, err = w.Write([]byte("0123456789"))
	must(t, err)
	fs := Wrap(inner, shortBy3{})
	r, err := fs.Open("a")
	must(t, err)
	buf := make([]byte, 10)
	if n, err := r.Read(buf); n != 3 || err != nil || string(buf[:n]) != "012" {
		t.Fatalf("Read = %d, %v, %q; want a 3-byte read", n, err, buf[:n])
	}
	if n, err := r.ReadAt(buf, 0); n != 10 || err != nil {
		t.Fatalf("ReadAt = %d, %v; ReadAt is never short without an error", n, err)
	}
	got, err := disk.ReadFile(fs, "a")
	if err != nil || string(got) != "0123456789" {
		t.Fatalf("ReadFile over short reads = %q, %v", got, err)
	}
}
