package powerfs

import (
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mustID returns a function taking a create's results and returning the
// new node's id, failing t on an error.
func mustID(t *testing.T) func(Attr, syscall.Errno) uint64 {
	return func(a Attr, e syscall.Errno) uint64 {
		t.Helper()
		if e != 0 {
			t.Fatal(e)
		}
		return a.ID
	}
}

func ok(t *testing.T, e syscall.Errno) {
	t.Helper()
	if e != 0 {
		t.Fatal(e)
	}
}

func wantImage(t *testing.T, got Image, dirs []string, files map[string]string) {
	t.Helper()
	want := newImage()
	for _, d := range dirs {
		want.Dirs[d] = true
	}
	for p, s := range files {
		want.Files[p] = []byte(s)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("image (-want +got):\n%s", diff)
	}
}

func TestFileBytesNeedFileFsyncEntriesNeedDirFsync(t *testing.T) {
	m := NewModel(newImage(), POSIX)
	a := mustID(t)(m.Create(RootID, "a", 0o644))
	b := mustID(t)(m.Create(RootID, "b", 0o644))
	c := mustID(t)(m.Create(RootID, "c", 0o644))
	ok(t, m.Write(a, 0, []byte("aaa")))
	ok(t, m.Write(b, 0, []byte("bbb")))
	ok(t, m.Write(c, 0, []byte("ccc")))
	wantImage(t, m.Durable(), nil, nil) // nothing synced: nothing survives
	ok(t, m.Fsync(a))
	wantImage(t, m.Durable(), nil, nil) // a's bytes, but no entry naming it
	ok(t, m.Fsync(RootID))
	wantImage(t, m.Durable(), nil, map[string]string{"a": "aaa", "b": "", "c": ""})
	ok(t, m.Fsync(b))
	ok(t, m.Write(a, 1, []byte("XYZ"))) // overwrite and grow, unsynced
	wantImage(t, m.Durable(), nil, map[string]string{"a": "aaa", "b": "bbb", "c": ""})
	wantImage(t, m.Live(), nil, map[string]string{"a": "aXYZ", "b": "bbb", "c": "ccc"})
	ok(t, m.Truncate(a, 2))
	ok(t, m.Write(a, 4, []byte("!")))
	ok(t, m.Fsync(a))
	wantImage(t, m.Durable(), nil, map[string]string{"a": "aX\x00\x00!", "b": "bbb", "c": ""})
}

func TestDirectoryChangesNeedTheirOwnDirFsync(t *testing.T) {
	m := NewModel(newImage(), POSIX)
	d := mustID(t)(m.Mkdir(RootID, "d", 0o755))
	e := mustID(t)(m.Mkdir(d, "e", 0o755))
	f := mustID(t)(m.Create(e, "f", 0o644))
	ok(t, m.Write(f, 0, []byte("x")))
	ok(t, m.Fsync(f))
	ok(t, m.Fsync(e))
	ok(t, m.Fsync(d))
	wantImage(t, m.Durable(), nil, nil) // root never synced: d is not there
	ok(t, m.Fsync(RootID))
	wantImage(t, m.Durable(), []string{"d", "d/e"}, map[string]string{"d/e/f": "x"})
}

func TestRenameAndUnlinkAreDurableOnlyWithTheirDirs(t *testing.T) {
	m := NewModel(newImage(), POSIX)
	d1 := mustID(t)(m.Mkdir(RootID, "d1", 0o755))
	d2 := mustID(t)(m.Mkdir(RootID, "d2", 0o755))
	f := mustID(t)(m.Create(d1, "tmp", 0o644))
	g := mustID(t)(m.Create(d1, "gone", 0o644))
	ok(t, m.Write(f, 0, []byte("new")))
	ok(t, m.Write(g, 0, []byte("old")))
	for _, id := range []uint64{f, g, d1, RootID} {
		ok(t, m.Fsync(id))
	}
	ok(t, m.Rename(d1, "tmp", d2, "final", false))
	ok(t, m.Unlink(d1, "gone"))
	wantImage(t, m.Durable(), []string{"d1", "d2"}, map[string]string{"d1/tmp": "new", "d1/gone": "old"})
	ok(t, m.Fsync(d2)) // the new name is durable, the old not yet removed
	wantImage(t, m.Durable(), []string{"d1", "d2"}, map[string]string{"d1/tmp": "new", "d1/gone": "old", "d2/final": "new"})
	ok(t, m.Fsync(d1))
	wantImage(t, m.Durable(), []string{"d1", "d2"}, map[string]string{"d2/final": "new"})
}

func TestRenameReplacesAndRefuses(t *testing.T) {
	m := NewModel(newImage(), POSIX)
	mustID(t)(m.Create(RootID, "a", 0o644))
	mustID(t)(m.Create(RootID, "b", 0o644))
	d := mustID(t)(m.Mkdir(RootID, "d", 0o755))
	mustID(t)(m.Create(d, "x", 0o644))
	if e := m.Rename(RootID, "a", RootID, "b", true); e != syscall.EEXIST {
		t.Fatalf("noreplace over a file: %v", e)
	}
	if e := m.Rename(RootID, "a", RootID, "d", false); e != syscall.EISDIR {
		t.Fatalf("file over a dir: %v", e)
	}
	if e := m.Rmdir(RootID, "d"); e != syscall.ENOTEMPTY {
		t.Fatalf("rmdir of a non-empty dir: %v", e)
	}
	ok(t, m.Rename(RootID, "a", RootID, "b", false))
	ents, _ := m.Readdir(RootID)
	if len(ents) != 2 || ents[0].Name != "b" || ents[1].Name != "d" || !ents[1].Dir {
		t.Fatalf("readdir after rename: %+v", ents)
	}
}

func TestCutFailsEverythingAfterAndImageRoundTrips(t *testing.T) {
	m := NewModel(newImage(), POSIX)
	d := mustID(t)(m.Mkdir(RootID, "d", 0o755))
	f := mustID(t)(m.Create(d, "f", 0o644))
	ok(t, m.Write(f, 0, []byte("synced")))
	for _, id := range []uint64{f, d, RootID} {
		ok(t, m.Fsync(id))
	}
	ok(t, m.Write(f, 6, []byte(" and not")))
	img := m.Cut()
	if e := m.Fsync(f); e != syscall.EIO {
		t.Fatalf("fsync after the cut: %v, want EIO", e)
	}
	if _, e := m.Read(f, 0, 10); e != syscall.EIO {
		t.Fatalf("read after the cut: %v, want EIO", e)
	}
	wantImage(t, img, []string{"d"}, map[string]string{"d/f": "synced"})
	again := NewModel(img, POSIX)
	wantImage(t, again.Live(), []string{"d"}, map[string]string{"d/f": "synced"})
	wantImage(t, again.Durable(), []string{"d"}, map[string]string{"d/f": "synced"})
}

func TestCutAtSyncStopsBeforeTheNthFsync(t *testing.T) {
	m := NewModel(newImage(), POSIX)
	f := mustID(t)(m.Create(RootID, "f", 0o644))
	died := m.CutAtSync(3)
	ok(t, m.Fsync(RootID)) // 1
	ok(t, m.Write(f, 0, []byte("one")))
	ok(t, m.Fsync(f)) // 2
	ok(t, m.Write(f, 3, []byte(" two")))
	select {
	case <-died:
		t.Fatal("cut before the third fsync")
	default:
	}
	if e := m.Fsync(f); e != syscall.EIO { // 3: the cut
		t.Fatalf("third fsync: %v, want EIO", e)
	}
	<-died
	if e := m.Write(f, 0, []byte("x")); e != syscall.EIO {
		t.Fatalf("write after the cut: %v", e)
	}
	wantImage(t, m.Cut(), nil, map[string]string{"f": "one"})
}

func TestJournalModeCommitsEveryEntryButNotUnsyncedBytes(t *testing.T) {
	m := NewModel(newImage(), Journal)
	d := mustID(t)(m.Mkdir(RootID, "d", 0o755))
	f := mustID(t)(m.Create(d, "f", 0o644))
	g := mustID(t)(m.Create(RootID, "g", 0o644))
	ok(t, m.Write(f, 0, []byte("f bytes")))
	ok(t, m.Write(g, 0, []byte("g bytes")))
	wantImage(t, m.Durable(), nil, nil)
	ok(t, m.Fsync(g)) // commits d, d/f and g; only g's bytes
	wantImage(t, m.Durable(), []string{"d"}, map[string]string{"d/f": "", "g": "g bytes"})
	ok(t, m.Unlink(RootID, "g"))
	ok(t, m.Fsync(f))
	wantImage(t, m.Durable(), []string{"d"}, map[string]string{"d/f": "f bytes"})
}
