package raftlog

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"jsnode/disk"
	"jsnode/disk/memfs"
	"jsnode/node/raft"
)

// Property tests run from a fixed rapid seed so that every run checks the
// same cases; pass -rapid.seed=0 to explore new ones.
const (
	rapidSeed   = "20240611"
	rapidChecks = "200"
)

func TestMain(m *testing.M) {
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, v := range map[string]string{"rapid.seed": rapidSeed, "rapid.checks": rapidChecks} {
		if !set[name] && flag.Lookup(name) != nil {
			if err := flag.Set(name, v); err != nil {
				panic(err)
			}
		}
	}
	os.Exit(m.Run())
}

const testDir = "data/group"

// smallSegments makes segments rotate every few entries.
var smallSegments = Options{SegmentBytes: SegmentBytesMin}

// tb is the part of testing.TB (and *rapid.T) the helpers use.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

func mustOpen(t tb, fs disk.FS, opts Options) *Log {
	t.Helper()
	l, err := Open(fs, testDir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

// makeEntries returns entries lo..hi with the given term and data derived
// from index and term.
func makeEntries(lo, hi, term uint64) []raft.Entry {
	var out []raft.Entry
	for i := lo; i <= hi; i++ {
		out = append(out, raft.Entry{Index: i, Term: term, Type: raft.EntryNormal,
			Data: []byte(fmt.Sprintf("entry %06d term %d", i, term))})
	}
	return out
}

func mustSave(t tb, l *Log, hs raft.HardState, ents []raft.Entry, snap *raft.Snapshot) {
	t.Helper()
	if err := l.Save(hs, ents, snap); err != nil {
		t.Fatalf("Save: %v", err)
	}
}

func mustSync(t tb, l *Log) {
	t.Helper()
	if err := l.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
}

// state is everything a Log serves through raft.Storage.
type state struct {
	HS      raft.HardState
	Snap    raft.Snapshot
	Entries []raft.Entry
}

// readState reads the whole state of l through raft.Storage.
func readState(t tb, l *Log) state {
	t.Helper()
	st, err := tryReadState(l)
	if err != nil {
		t.Fatalf("reading state: %v", err)
	}
	return st
}

func tryReadState(l *Log) (state, error) {
	var st state
	var err error
	if st.HS, err = l.InitialState(); err != nil {
		return st, err
	}
	if st.Snap, err = l.Snapshot(); err != nil {
		return st, err
	}
	first, err := l.FirstIndex()
	if err != nil {
		return st, err
	}
	last, err := l.LastIndex()
	if err != nil {
		return st, err
	}
	if first != st.Snap.Meta.Index+1 {
		return st, fmt.Errorf("first index %d, snapshot %d", first, st.Snap.Meta.Index)
	}
	if t, err := l.Term(first - 1); err != nil || t != st.Snap.Meta.Term {
		return st, fmt.Errorf("term(%d) = %d, %v; snapshot term %d", first-1, t, err, st.Snap.Meta.Term)
	}
	if st.Entries, err = l.Entries(first, last+1, ^uint64(0)); err != nil {
		return st, err
	}
	if uint64(len(st.Entries)) != last+1-first {
		return st, fmt.Errorf("got %d entries for [%d, %d]", len(st.Entries), first, last)
	}
	for k, e := range st.Entries {
		if e.Index != first+uint64(k) {
			return st, fmt.Errorf("entry %d at position of %d", e.Index, first+uint64(k))
		}
		if t, err := l.Term(e.Index); err != nil || t != e.Term {
			return st, fmt.Errorf("term(%d) = %d, %v; entry has %d", e.Index, t, err, e.Term)
		}
	}
	if st.HS.Commit > last || st.HS.Commit < st.Snap.Meta.Index {
		return st, fmt.Errorf("commit %d outside [%d, %d]", st.HS.Commit, st.Snap.Meta.Index, last)
	}
	return st, nil
}

// normalize makes empty slices nil so that states compare by content.
func normalize(st state) state {
	out := st
	out.Entries = nil
	for _, e := range st.Entries {
		if len(e.Data) == 0 {
			e.Data = nil
		}
		out.Entries = append(out.Entries, e)
	}
	if len(out.Snap.Data) == 0 {
		out.Snap.Data = nil
	}
	m := &out.Snap.Meta.Membership
	if len(m.Voters) == 0 {
		m.Voters = nil
	}
	if len(m.Learners) == 0 {
		m.Learners = nil
	}
	return out
}

func diffState(want, got state) string { return cmp.Diff(normalize(want), normalize(got)) }

// reopen closes l and opens the same file system again (no crash).
func reopen(t tb, l *Log, fs disk.FS, opts Options) *Log {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return mustOpen(t, fs, opts)
}

// crashed opens the state a power loss would leave now, keeping exactly
// what was synced.
func crashed(t tb, fs *memfs.FS, opts Options) (*memfs.FS, *Log) {
	t.Helper()
	c := fs.CrashClone(memfs.CrashOptions{})
	return c, mustOpen(t, c, opts)
}

func wantCorruption(t tb, err error) *CorruptionError {
	t.Helper()
	var ce *CorruptionError
	if !errors.As(err, &ce) {
		t.Fatalf("want *CorruptionError, got %v", err)
	}
	if !errors.Is(err, ErrCorrupt) || !errors.Is(err, raft.ErrCorruptState) {
		t.Fatalf("corruption error %v does not match ErrCorrupt and raft.ErrCorruptState", err)
	}
	return ce
}

func testSnapshot(index, term uint64) raft.Snapshot {
	return raft.Snapshot{Meta: raft.SnapshotMeta{Index: index, Term: term,
		Membership: raft.Membership{Voters: []raft.ID{1, 2, 3}}},
		Data: []byte(fmt.Sprintf("state at %d/%d", index, term))}
}
