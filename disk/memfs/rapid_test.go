package memfs

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"jsnode/disk"
)

// dirID marks a directory entry in the model's name maps.
const dirID = -1

// modelFile is what the model knows about one file: everything written
// (appends only) and how much of it was synced.
type modelFile struct {
	f       disk.File
	content []byte
	synced  int
}

// crashModel drives a memfs with random appends, syncs, creates, renames
// and directory syncs, and tracks per directory the current and the
// durable name → file maps.
type crashModel struct {
	fs       *FS
	dirs     []string
	files    []*modelFile
	cur, dur map[string]map[string]int
	next     int
}

func newCrashModel(t *rapid.T) *crashModel {
	m := &crashModel{fs: New(), dirs: []string{".", "d"}}
	if err := m.fs.MkdirAll("d"); err != nil {
		t.Fatal(err)
	}
	if err := m.fs.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	m.cur = map[string]map[string]int{".": {"d": dirID}, "d": {}}
	m.dur = map[string]map[string]int{".": {"d": dirID}, "d": {}}
	return m
}

func (m *crashModel) create(t *rapid.T) {
	dir := rapid.SampledFrom(m.dirs).Draw(t, "dir")
	name := fmt.Sprintf("f%d", m.next)
	m.next++
	f, err := m.fs.Create(path.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	m.cur[dir][name] = len(m.files)
	m.files = append(m.files, &modelFile{f: f})
}

func (m *crashModel) pick(t *rapid.T) *modelFile {
	if len(m.files) == 0 {
		t.Skip("no files")
	}
	return m.files[rapid.IntRange(0, len(m.files)-1).Draw(t, "file")]
}

func (m *crashModel) write(t *rapid.T) {
	mf := m.pick(t)
	data := rapid.SliceOfN(rapid.Byte(), 1, 40).Draw(t, "data")
	if _, err := mf.f.Write(data); err != nil {
		t.Fatal(err)
	}
	mf.content = append(mf.content, data...)
}

func (m *crashModel) sync(t *rapid.T) {
	mf := m.pick(t)
	if err := mf.f.Sync(); err != nil {
		t.Fatal(err)
	}
	mf.synced = len(mf.content)
}

// rename moves a current file to a random name, often an existing one.
func (m *crashModel) rename(t *rapid.T) {
	var from []string
	for _, dir := range m.dirs {
		for _, name := range slices.Sorted(maps.Keys(m.cur[dir])) {
			if m.cur[dir][name] != dirID {
				from = append(from, path.Join(dir, name))
			}
		}
	}
	if len(from) == 0 {
		t.Skip("no files to rename")
	}
	src := rapid.SampledFrom(from).Draw(t, "from")
	dir := rapid.SampledFrom(m.dirs).Draw(t, "todir")
	n := rapid.IntRange(0, m.next).Draw(t, "toname")
	if n == m.next {
		m.next++ // a fresh name: create must not reuse it
	}
	name := fmt.Sprintf("f%d", n)
	dst := path.Join(dir, name)
	if src == dst {
		t.Skip("rename to itself")
	}
	if err := m.fs.Rename(src, dst); err != nil {
		t.Fatal(err)
	}
	sdir, sname := path.Dir(src), path.Base(src)
	m.cur[dir][name] = m.cur[sdir][sname]
	delete(m.cur[sdir], sname)
}

func (m *crashModel) syncDir(t *rapid.T) {
	dir := rapid.SampledFrom(m.dirs).Draw(t, "dir")
	if err := m.fs.SyncDir(dir); err != nil {
		t.Fatal(err)
	}
	m.dur[dir] = maps.Clone(m.cur[dir])
}

// crash checks a crash clone: each directory holds its durable or (if
// allowed) its current names, and each file keeps all its synced bytes,
// stays within its current length and differs from what was written only
// in the last MaxGarbageBytes bytes of the unsynced tail.
func (m *crashModel) crash(t *rapid.T) {
	probs := []float64{0, 0.5, 1}
	opts := CrashOptions{
		Seed:                       rapid.Uint64().Draw(t, "seed"),
		UnsyncedKeepProbability:    rapid.SampledFrom(probs).Draw(t, "keep"),
		TornWriteProbability:       rapid.SampledFrom(probs).Draw(t, "torn"),
		UnsyncedDirKeepProbability: rapid.SampledFrom(probs).Draw(t, "dirkeep"),
	}
	clone := m.fs.CrashClone(opts)
	for _, dir := range m.dirs {
		names, err := clone.List(dir)
		if err != nil {
			t.Fatalf("List(%q): %v", dir, err)
		}
		candidates := []map[string]int{m.dur[dir]}
		if opts.UnsyncedDirKeepProbability > 0 {
			candidates = append(candidates, m.cur[dir])
		}
		var problems []string
		for _, want := range candidates {
			p := m.checkDir(clone, dir, names, want, opts)
			if p == "" {
				problems = nil
				break
			}
			problems = append(problems, p)
		}
		if problems != nil {
			t.Fatalf("crash %+v, dir %q: %q", opts, dir, problems)
		}
	}
}

// checkDir compares a crashed directory with one candidate name map and
// returns what does not match ("" if all does).
func (m *crashModel) checkDir(clone *FS, dir string, names []string, want map[string]int, opts CrashOptions) string {
	if wantNames := slices.Sorted(maps.Keys(want)); !slices.Equal(names, wantNames) {
		return fmt.Sprintf("names %q, want %q", names, wantNames)
	}
	for _, name := range names {
		if want[name] == dirID {
			continue
		}
		got, err := disk.ReadFile(clone, path.Join(dir, name))
		if err != nil {
			return err.Error()
		}
		if p := checkFile(got, m.files[want[name]], opts); p != "" {
			return name + ": " + p
		}
	}
	return ""
}

func checkFile(got []byte, mf *modelFile, opts CrashOptions) string {
	switch {
	case len(got) < mf.synced || len(got) > len(mf.content):
		return fmt.Sprintf("length %d outside [%d, %d]", len(got), mf.synced, len(mf.content))
	case !bytes.Equal(got[:mf.synced], mf.content[:mf.synced]):
		return "synced bytes changed"
	case opts.UnsyncedKeepProbability == 0 && len(got) != mf.synced:
		return fmt.Sprintf("kept %d unsynced bytes with keep probability 0", len(got)-mf.synced)
	case opts.TornWriteProbability == 0 && !bytes.Equal(got, mf.content[:len(got)]):
		return "garbage without torn writes"
	}
	clean := max(mf.synced, len(got)-MaxGarbageBytes)
	if !bytes.Equal(got[:clean], mf.content[:clean]) {
		return "garbage before the torn tail"
	}
	return ""
}

func TestCrashCloneProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := newCrashModel(t)
		t.Repeat(map[string]func(*rapid.T){
			"create":  m.create,
			"write":   m.write,
			"sync":    m.sync,
			"rename":  m.rename,
			"syncdir": m.syncDir,
			"crash":   m.crash,
		})
	})
}
