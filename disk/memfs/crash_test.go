package memfs

import (
	"errors"
	"maps"
	"path"
	"slices"
	"strings"
	"testing"

	"jsnode/disk"
)

// snapshot maps every path in fs to its contents ("/" suffix for dirs).
func snapshot(t *testing.T, fs disk.FS) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(dir string)
	walk = func(dir string) {
		names, err := fs.List(dir)
		if err != nil {
			t.Fatalf("List(%q): %v", dir, err)
		}
		for _, name := range names {
			p := path.Join(dir, name)
			fi, err := fs.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.IsDir {
				out[p+"/"] = ""
				walk(p)
				continue
			}
			data, err := disk.ReadFile(fs, p)
			if err != nil {
				t.Fatal(err)
			}
			out[p] = string(data)
		}
	}
	walk(".")
	return out
}

// create makes name with data, optionally syncing the file; it returns the
// open handle.
func create(t *testing.T, fs *FS, name, data string, sync bool) disk.File {
	t.Helper()
	f, err := fs.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	write(t, f, data)
	if sync {
		mustSync(t, f)
	}
	return f
}

func write(t *testing.T, f disk.File, data string) {
	t.Helper()
	if _, err := f.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
}

func mustSync(t *testing.T, f disk.File) {
	t.Helper()
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

func syncDir(t *testing.T, fs *FS, dir string) {
	t.Helper()
	if err := fs.SyncDir(dir); err != nil {
		t.Fatal(err)
	}
}

// contents returns name's contents in fs, or "<missing>".
func contents(t *testing.T, fs disk.FS, name string) string {
	t.Helper()
	data, err := disk.ReadFile(fs, name)
	if errors.Is(err, disk.ErrNotExist) {
		return "<missing>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// anything is the most permissive crash: keep and tear whenever possible.
func anything(seed uint64) CrashOptions {
	return CrashOptions{Seed: seed, UnsyncedKeepProbability: 0.5, TornWriteProbability: 0.5,
		UnsyncedDirKeepProbability: 0.5}
}

func TestSyncedDataSurvives(t *testing.T) {
	fs := New()
	if err := fs.MkdirAll("d"); err != nil {
		t.Fatal(err)
	}
	syncDir(t, fs, ".")
	f := create(t, fs, "d/a", "durable", true)
	syncDir(t, fs, "d")
	write(t, f, " more")
	if got := contents(t, fs.CrashClone(CrashOptions{}), "d/a"); got != "durable" {
		t.Fatalf("strict crash: d/a = %q, want durable", got)
	}
	for seed := range uint64(50) {
		got := contents(t, fs.CrashClone(anything(seed)), "d/a")
		if !strings.HasPrefix(got, "durable") || len(got) > len("durable more") {
			t.Fatalf("seed %d: d/a = %q, want durable plus at most 5 bytes", seed, got)
		}
	}
}

func TestUnsyncedTailSometimesKept(t *testing.T) {
	fs := New()
	f := create(t, fs, "a", "base", true)
	syncDir(t, fs, ".")
	for _, s := range []string{"1", "22", "333"} {
		write(t, f, s)
	}
	valid := map[string]bool{"base": true, "base1": true, "base122": true, "base122333": true}
	seen := map[string]int{}
	for seed := range uint64(50) {
		got := contents(t, fs.CrashClone(CrashOptions{Seed: seed, UnsyncedKeepProbability: 0.5}), "a")
		if !valid[got] {
			t.Fatalf("seed %d: a = %q, not the durable bytes plus a prefix of the writes", seed, got)
		}
		seen[got]++
	}
	if len(seen) != len(valid) {
		t.Fatalf("outcomes over 50 seeds %v: want the tail lost, kept whole and cut after each write", seen)
	}
	for seed := range uint64(20) {
		if got := contents(t, fs.CrashClone(CrashOptions{Seed: seed, UnsyncedKeepProbability: 1}), "a"); got == "base" {
			t.Fatalf("seed %d: keep probability 1 dropped the whole tail", seed)
		}
	}
}

func TestNamesNeedSyncDir(t *testing.T) {
	fs := New()
	create(t, fs, "a", "A", true)
	if err := fs.MkdirAll("sub"); err != nil {
		t.Fatal(err)
	}
	create(t, fs, "sub/b", "B", true)
	syncDir(t, fs, "sub")
	crashed := fs.CrashClone(CrashOptions{})
	if got := snapshot(t, crashed); len(got) != 0 {
		t.Fatalf("after crash without SyncDir(.): %v, want empty", got)
	}
	syncDir(t, fs, ".")
	want := map[string]string{"a": "A", "sub/": "", "sub/b": "B"}
	if got := snapshot(t, fs.CrashClone(CrashOptions{})); !maps.Equal(got, want) {
		t.Fatalf("after SyncDir(.): %v, want %v", got, want)
	}
}

func TestRenameRevertsWithoutSyncDir(t *testing.T) {
	fs := New()
	create(t, fs, "a", "A", true)
	create(t, fs, "b", "old B", true)
	syncDir(t, fs, ".")
	if err := fs.Rename("a", "b"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "A", "b": "old B"}
	if got := snapshot(t, fs.CrashClone(CrashOptions{})); !maps.Equal(got, want) {
		t.Fatalf("crash before SyncDir: %v, want %v", got, want)
	}
	keepDirOps := CrashOptions{UnsyncedDirKeepProbability: 1}
	want = map[string]string{"b": "A"}
	if got := snapshot(t, fs.CrashClone(keepDirOps)); !maps.Equal(got, want) {
		t.Fatalf("crash keeping dir ops: %v, want %v", got, want)
	}
	syncDir(t, fs, ".")
	if got := snapshot(t, fs.CrashClone(CrashOptions{})); !maps.Equal(got, want) {
		t.Fatalf("crash after SyncDir: %v, want %v", got, want)
	}
}

func TestRemoveRevertsWithoutSyncDir(t *testing.T) {
	fs := New()
	create(t, fs, "a", "A", true)
	syncDir(t, fs, ".")
	if err := fs.Remove("a"); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, fs.CrashClone(CrashOptions{}), "a"); got != "A" {
		t.Fatalf("a = %q after crash before SyncDir, want A", got)
	}
	syncDir(t, fs, ".")
	if got := contents(t, fs.CrashClone(CrashOptions{}), "a"); got != "<missing>" {
		t.Fatalf("a = %q after SyncDir, want missing", got)
	}
}

func TestCreateTruncationIsUnsynced(t *testing.T) {
	fs := New()
	create(t, fs, "a", "old", true)
	syncDir(t, fs, ".")
	f := create(t, fs, "a", "new!", false)
	if got := contents(t, fs.CrashClone(CrashOptions{}), "a"); got != "old" {
		t.Fatalf("a = %q after crash, want the synced old contents", got)
	}
	mustSync(t, f)
	if got := contents(t, fs.CrashClone(CrashOptions{}), "a"); got != "new!" {
		t.Fatalf("a = %q after Sync and crash, want new!", got)
	}
}

// busyFS returns a file system with synced and unsynced files, names and
// directories.
func busyFS(t *testing.T) *FS {
	fs := New()
	for _, d := range []string{"x", "y/z"} {
		if err := fs.MkdirAll(d); err != nil {
			t.Fatal(err)
		}
	}
	syncDir(t, fs, ".")
	syncDir(t, fs, "y")
	for i, name := range []string{"x/1", "x/2", "y/z/3", "y/4", "5"} {
		f := create(t, fs, name, strings.Repeat(name[len(name)-1:], 10+i), i%2 == 0)
		for j := range i + 1 {
			write(t, f, strings.Repeat("+", 5*j+1))
		}
	}
	syncDir(t, fs, "x")
	if err := fs.Rename("x/2", "y/2"); err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestCrashCloneDeterministic(t *testing.T) {
	fs := busyFS(t)
	distinct := map[string]bool{}
	for seed := range uint64(30) {
		opts := anything(seed)
		a, b := snapshot(t, fs.CrashClone(opts)), snapshot(t, fs.CrashClone(opts))
		if !maps.Equal(a, b) {
			t.Fatalf("seed %d: two clones differ:\n%v\n%v", seed, a, b)
		}
		c := snapshot(t, fs.Clone().CrashClone(opts))
		if !maps.Equal(a, c) {
			t.Fatalf("seed %d: CrashClone of Clone differs:\n%v\n%v", seed, a, c)
		}
		distinct[strings.Join(flatten(a), "|")] = true
	}
	if len(distinct) < 10 {
		t.Fatalf("only %d distinct crash states over 30 seeds", len(distinct))
	}
}

func flatten(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

func TestTornWrites(t *testing.T) {
	fs := New()
	f := create(t, fs, "a", "base", true)
	syncDir(t, fs, ".")
	tail := strings.Repeat("0123456789abcdef", 4)
	write(t, f, tail)
	current := "base" + tail
	opts := CrashOptions{UnsyncedKeepProbability: 1, TornWriteProbability: 1}
	short, garbled := 0, 0
	for seed := range uint64(40) {
		opts.Seed = seed
		got := contents(t, fs.CrashClone(opts), "a")
		if got == current || !strings.HasPrefix(got, "base") || len(got) > len(current) {
			t.Fatalf("seed %d: a = %q, want a torn version of %q", seed, got, current)
		}
		if len(got) < len(current) {
			short++
		}
		if got != current[:len(got)] {
			garbled++
			if n := len(got) - MaxGarbageBytes; n > 0 && got[:n] != current[:n] {
				t.Fatalf("seed %d: garbage before the last %d bytes: %q", seed, MaxGarbageBytes, got)
			}
		}
	}
	if short == 0 || garbled == 0 {
		t.Fatalf("over 40 seeds: %d short, %d garbled; want both kinds of tear", short, garbled)
	}
}

func TestCloneIsIndependent(t *testing.T) {
	fs := New()
	f := create(t, fs, "a", "synced", true)
	syncDir(t, fs, ".")
	write(t, f, "+pending")
	exact := fs.Clone()
	crashed := fs.CrashClone(CrashOptions{})
	write(t, f, "+later")
	mustSync(t, f)
	if got := contents(t, exact, "a"); got != "synced+pending" {
		t.Fatalf("Clone: a = %q, want synced+pending", got)
	}
	if got := contents(t, crashed, "a"); got != "synced" {
		t.Fatalf("CrashClone: a = %q after writes to the original", got)
	}
	// The clones keep their own durability state: the exact copy still has
	// an unsynced tail, the crash copy is fully durable.
	if got := contents(t, exact.CrashClone(CrashOptions{}), "a"); got != "synced" {
		t.Fatalf("crash of Clone: a = %q, want synced", got)
	}
	g := create(t, crashed, "b", "new", false)
	defer g.Close()
	if got := contents(t, fs, "b"); got != "<missing>" {
		t.Fatalf("write to the crash clone reached the original: b = %q", got)
	}
	if got := contents(t, crashed.CrashClone(CrashOptions{}), "a"); got != "synced" {
		t.Fatalf("crash clone was not fully durable: a = %q", got)
	}
}

func TestFlipBit(t *testing.T) {
	fs := New()
	create(t, fs, "a", "abc", true)
	syncDir(t, fs, ".")
	if err := fs.FlipBit("a", 1, 0); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, fs, "a"); got != "acc" {
		t.Fatalf("a = %q after flipping bit 0 of byte 1, want acc", got)
	}
	if got := contents(t, fs.CrashClone(CrashOptions{}), "a"); got != "acc" {
		t.Fatalf("flip did not reach the durable bytes: %q", got)
	}
	for _, c := range []struct {
		off int64
		bit uint
	}{{3, 0}, {-1, 0}, {0, 8}} {
		if err := fs.FlipBit("a", c.off, c.bit); err == nil {
			t.Errorf("FlipBit(a, %d, %d) succeeded", c.off, c.bit)
		}
	}
	if err := fs.FlipBit("missing", 0, 0); !errors.Is(err, disk.ErrNotExist) {
		t.Errorf("FlipBit(missing) = %v, want ErrNotExist", err)
	}
}

// TestDurableCycle builds durable entry sets that make two directories each
// other's child; the clone must leave out the back edge instead of looping.
func TestDurableCycle(t *testing.T) {
	fs := New()
	if err := fs.MkdirAll("b/a"); err != nil {
		t.Fatal(err)
	}
	syncDir(t, fs, ".")
	syncDir(t, fs, "b")
	if err := fs.Rename("b/a", "a"); err != nil {
		t.Fatal(err)
	}
	if err := fs.Rename("b", "a/b"); err != nil {
		t.Fatal(err)
	}
	syncDir(t, fs, "a")
	want := map[string]string{"b/": "", "b/a/": ""}
	if got := snapshot(t, fs.CrashClone(CrashOptions{})); !maps.Equal(got, want) {
		t.Fatalf("crash state %v, want %v", got, want)
	}
}
