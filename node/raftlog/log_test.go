package raftlog

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"jsnode/disk"
	"jsnode/disk/memfs"
	"jsnode/disk/osfs"
	"jsnode/node/raft"
)

func TestOpenEmpty(t *testing.T) {
	fs := memfs.New()
	l := mustOpen(t, fs, Options{})
	st := readState(t, l)
	if d := diffState(state{}, st); d != "" {
		t.Fatalf("fresh log not empty (-want +got):\n%s", d)
	}
	if first, _ := l.FirstIndex(); first != 1 {
		t.Fatalf("FirstIndex = %d, want 1", first)
	}
	names, err := fs.List(testDir + "/wal")
	if err != nil || !slices.Equal(names, []string{"00000000000000000001.seg"}) {
		t.Fatalf("wal holds %v (%v), want the first segment", names, err)
	}
	// The directories and the first segment are durable at once.
	_, l2 := crashed(t, fs, Options{})
	if d := diffState(state{}, readState(t, l2)); d != "" {
		t.Fatalf("after crash (-want +got):\n%s", d)
	}
}

func TestAppendSyncReopen(t *testing.T) {
	fs := memfs.New()
	l := mustOpen(t, fs, Options{})
	hs := raft.HardState{Term: 2, Vote: 3, Commit: 4}
	mustSave(t, l, hs, makeEntries(1, 10, 2), nil)
	mustSync(t, l)
	want := state{HS: hs, Entries: makeEntries(1, 10, 2)}
	if d := diffState(want, readState(t, l)); d != "" {
		t.Fatalf("before reopen (-want +got):\n%s", d)
	}
	l = reopen(t, l, fs, Options{})
	if d := diffState(want, readState(t, l)); d != "" {
		t.Fatalf("after reopen (-want +got):\n%s", d)
	}
	_, l = crashed(t, fs, Options{})
	if d := diffState(want, readState(t, l)); d != "" {
		t.Fatalf("after crash (-want +got):\n%s", d)
	}
}

func TestUnsyncedIsLostCleanly(t *testing.T) {
	fs := memfs.New()
	l := mustOpen(t, fs, Options{})
	mustSave(t, l, raft.HardState{Term: 1, Vote: 1, Commit: 3}, makeEntries(1, 5, 1), nil)
	mustSync(t, l)
	mustSave(t, l, raft.HardState{Term: 2, Vote: 2, Commit: 5}, makeEntries(6, 9, 2), nil)
	_, l2 := crashed(t, fs, Options{})
	want := state{HS: raft.HardState{Term: 1, Vote: 1, Commit: 3}, Entries: makeEntries(1, 5, 1)}
	if d := diffState(want, readState(t, l2)); d != "" {
		t.Fatalf("after crash (-want +got):\n%s", d)
	}
}

func TestOverwriteSuffix(t *testing.T) {
	for _, opts := range []Options{{}, smallSegments, {SegmentBytes: SegmentBytesMin, CacheBytes: -1}} {
		fs := memfs.New()
		l := mustOpen(t, fs, opts)
		mustSave(t, l, raft.HardState{Term: 1, Vote: 1, Commit: 3}, makeEntries(1, 30, 1), nil)
		mustSync(t, l)
		// A new leader replaces entries from 7 on (possibly several segments back).
		mustSave(t, l, raft.HardState{Term: 2, Commit: 3}, makeEntries(7, 9, 2), nil)
		want := state{HS: raft.HardState{Term: 2, Commit: 3}, Entries: append(makeEntries(1, 6, 1), makeEntries(7, 9, 2)...)}
		if d := diffState(want, readState(t, l)); d != "" {
			t.Fatalf("%+v: after overwrite (-want +got):\n%s", opts, d)
		}
		mustSave(t, l, raft.HardState{Term: 2, Commit: 8}, makeEntries(10, 12, 2), nil)
		mustSync(t, l)
		want.HS.Commit = 8
		want.Entries = append(want.Entries, makeEntries(10, 12, 2)...)
		l = reopen(t, l, fs, opts)
		if d := diffState(want, readState(t, l)); d != "" {
			t.Fatalf("%+v: after reopen (-want +got):\n%s", opts, d)
		}
		_, l = crashed(t, fs, opts)
		if d := diffState(want, readState(t, l)); d != "" {
			t.Fatalf("%+v: after crash (-want +got):\n%s", opts, d)
		}
	}
}

func TestRotation(t *testing.T) {
	fs := memfs.New()
	l := mustOpen(t, fs, smallSegments)
	var want []raft.Entry
	for i := uint64(1); i <= 60; i += 3 {
		ents := makeEntries(i, i+2, 1)
		want = append(want, ents...)
		mustSave(t, l, raft.HardState{Term: 1, Commit: i - 1}, ents, nil)
	}
	mustSync(t, l)
	names, err := fs.List(testDir + "/wal")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 5 {
		t.Fatalf("only %d segments with %d-byte segments: %v", len(names), SegmentBytesMin, names)
	}
	// Each segment is named by its first entry and none is much past the limit.
	for _, s := range l.segs {
		if !strings.HasSuffix(s.name, segmentName(s.first)) {
			t.Fatalf("segment %s named for %d", s.name, s.first)
		}
		info, _ := fs.Stat(s.name)
		if info.Size > SegmentBytesMin+100 {
			t.Fatalf("segment %s has %d bytes", s.name, info.Size)
		}
	}
	for k := 1; k < len(l.segs); k++ {
		m := l.meta(l.segs[k].first)
		if m.seg != l.segs[k] || m.off <= segmentHeaderSize-1 {
			t.Fatalf("entry %d is not at the start of segment %s", l.segs[k].first, l.segs[k].name)
		}
	}
	wantState := state{HS: raft.HardState{Term: 1, Commit: 57}, Entries: want}
	l = reopen(t, l, fs, smallSegments)
	if d := diffState(wantState, readState(t, l)); d != "" {
		t.Fatalf("after reopen (-want +got):\n%s", d)
	}
	if got := l.Recovery().Segments; got != len(names) {
		t.Fatalf("recovery read %d segments, want %d", got, len(names))
	}
}

func TestCompaction(t *testing.T) {
	fs := memfs.New()
	l := mustOpen(t, fs, smallSegments)
	mustSave(t, l, raft.HardState{Term: 3, Vote: 1, Commit: 40}, makeEntries(1, 50, 3), nil)
	segsBefore := len(l.segs)
	snap := testSnapshot(30, 3)
	if err := l.Compact(snap); err != nil {
		t.Fatalf("Compact: %v", err)
	}
	if len(l.segs) >= segsBefore {
		t.Fatalf("compaction kept all %d segments", segsBefore)
	}
	if l.segs[0].first > 31 {
		t.Fatalf("first segment starts at %d, after the first kept entry 31", l.segs[0].first)
	}
	want := state{HS: raft.HardState{Term: 3, Vote: 1, Commit: 40}, Snap: snap, Entries: makeEntries(31, 50, 3)}
	if d := diffState(want, readState(t, l)); d != "" {
		t.Fatalf("after compaction (-want +got):\n%s", d)
	}
	if _, err := l.Entries(30, 32, 100); !errors.Is(err, raft.ErrCompacted) {
		t.Fatalf("Entries below first index: %v, want ErrCompacted", err)
	}
	if _, err := l.Term(29); !errors.Is(err, raft.ErrCompacted) {
		t.Fatalf("Term(29): %v, want ErrCompacted", err)
	}
	if err := l.Compact(testSnapshot(30, 3)); !errors.Is(err, raft.ErrSnapshotOutOfDate) {
		t.Fatalf("repeated Compact: %v, want ErrSnapshotOutOfDate", err)
	}
	// Compact synced everything: a crash now keeps it all.
	_, l2 := crashed(t, fs, smallSegments)
	if d := diffState(want, readState(t, l2)); d != "" {
		t.Fatalf("after crash (-want +got):\n%s", d)
	}
	// A second compaction replaces the snapshot file.
	snap2 := testSnapshot(40, 3)
	if err := l.Compact(snap2); err != nil {
		t.Fatal(err)
	}
	names, _ := fs.List(testDir + "/snap")
	if !slices.Equal(names, []string{snapshotName(3, 40)}) {
		t.Fatalf("snapshot files %v, want only the latest", names)
	}
	want.Snap, want.Entries = snap2, makeEntries(41, 50, 3)
	l = reopen(t, l, fs, smallSegments)
	if d := diffState(want, readState(t, l)); d != "" {
		t.Fatalf("after reopen (-want +got):\n%s", d)
	}
}

func TestCompactRejects(t *testing.T) {
	l := mustOpen(t, memfs.New(), Options{})
	mustSave(t, l, raft.HardState{Term: 2, Commit: 5}, makeEntries(1, 10, 2), nil)
	for _, snap := range []raft.Snapshot{testSnapshot(6, 2), testSnapshot(5, 1), testSnapshot(11, 2)} {
		if err := l.Compact(snap); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Compact(%d, term %d): %v, want ErrInvalid", snap.Meta.Index, snap.Meta.Term, err)
		}
	}
	if err := l.Compact(testSnapshot(5, 2)); err != nil {
		t.Fatalf("valid Compact after rejected ones: %v", err)
	}
}

func TestInstallSnapshot(t *testing.T) {
	fs := memfs.New()
	l := mustOpen(t, fs, smallSegments)
	mustSave(t, l, raft.HardState{Term: 1, Vote: 1, Commit: 5}, makeEntries(1, 40, 1), nil)
	mustSync(t, l)
	snap := testSnapshot(100, 4)
	mustSave(t, l, raft.HardState{Term: 4, Commit: 100}, nil, &snap)
	want := state{HS: raft.HardState{Term: 4, Commit: 100}, Snap: snap}
	if d := diffState(want, readState(t, l)); d != "" {
		t.Fatalf("after install (-want +got):\n%s", d)
	}
	// The install itself is durable before Save returns; the hard state
	// after Sync.
	_, l2 := crashed(t, fs, smallSegments)
	if got := readState(t, l2); got.Snap.Meta.Index != 100 || len(got.Entries) != 0 {
		t.Fatalf("after crash: snapshot %d with %d entries", got.Snap.Meta.Index, len(got.Entries))
	}
	mustSave(t, l, raft.HardState{Term: 4, Commit: 103}, makeEntries(101, 110, 4), nil)
	mustSync(t, l)
	want.HS.Commit, want.Entries = 103, makeEntries(101, 110, 4)
	names, _ := fs.List(testDir + "/wal")
	for _, n := range names {
		if first, _ := parseSegmentName(n); first <= 100 {
			t.Fatalf("segment %s of the old log survived the install", n)
		}
	}
	l = reopen(t, l, fs, smallSegments)
	if d := diffState(want, readState(t, l)); d != "" {
		t.Fatalf("after reopen (-want +got):\n%s", d)
	}
	if err := l.Save(raft.HardState{}, nil, &snap); !errors.Is(err, raft.ErrSnapshotOutOfDate) {
		t.Fatalf("installing the same snapshot again: %v", err)
	}
}

// An install interrupted after the snapshot was durable but before the old
// segments' removal was: Open keeps the new snapshot and drops the old log
// even where it is longer than the snapshot.
func TestInstallLeftoversDropped(t *testing.T) {
	fs := memfs.New()
	l := mustOpen(t, fs, Options{})
	mustSave(t, l, raft.HardState{Term: 1, Vote: 1, Commit: 2}, makeEntries(1, 30, 1), nil)
	mustSync(t, l)
	// Write the install's snapshot file by hand, as if the crash came next.
	snap := testSnapshot(20, 3)
	if err := disk.WriteFileAtomic(fs, testDir+"/snap/"+snapshotName(3, 20), encodeSnapshot(snap, 20)); err != nil {
		t.Fatal(err)
	}
	_, l2 := crashed(t, fs, Options{})
	want := state{HS: raft.HardState{Term: 1, Vote: 1, Commit: 20}, Snap: snap}
	if d := diffState(want, readState(t, l2)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if len(l2.Recovery().Removed) == 0 {
		t.Fatal("recovery reports no removed leftovers")
	}
}

func TestEntriesFromDisk(t *testing.T) {
	fs := memfs.New()
	l := mustOpen(t, fs, Options{SegmentBytes: 512, CacheBytes: 100})
	mustSave(t, l, raft.HardState{Term: 1, Commit: 1}, makeEntries(1, 80, 1), nil)
	if l.cacheFrom <= 1 || l.cacheBytes > 100 {
		t.Fatalf("cache holds from %d, %d bytes", l.cacheFrom, l.cacheBytes)
	}
	got, err := l.Entries(1, 81, ^uint64(0))
	if err != nil {
		t.Fatal(err)
	}
	if d := diffState(state{Entries: makeEntries(1, 80, 1)}, state{Entries: got}); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	// maxBytes: the first entry always, then as many as fit.
	size := uint64(len(makeEntries(1, 1, 1)[0].Data))
	for _, tc := range []struct{ max, want uint64 }{{0, 1}, {size, 1}, {2*size + 1, 2}, {10 * size, 10}} {
		got, err := l.Entries(3, 50, tc.max)
		if err != nil || uint64(len(got)) != tc.want {
			t.Fatalf("Entries(3, 50, %d) = %d entries, %v; want %d", tc.max, len(got), err, tc.want)
		}
	}
	if _, err := l.Entries(70, 82, 100); !errors.Is(err, raft.ErrUnavailable) {
		t.Fatalf("Entries past the end: %v", err)
	}
	if _, err := l.Term(81); !errors.Is(err, raft.ErrUnavailable) {
		t.Fatalf("Term past the end: %v", err)
	}
	// A bit flipped under a cached-out entry is caught on read.
	m := l.meta(2)
	if err := fs.FlipBit(m.seg.name, m.off+recordHeaderSize+3, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Entries(2, 3, 100); err == nil {
		t.Fatal("reading a corrupted entry succeeded")
	} else {
		ce := wantCorruption(t, err)
		if ce.Offset != m.off {
			t.Fatalf("corruption reported at %d, entry record at %d", ce.Offset, m.off)
		}
	}
}

func TestSaveValidation(t *testing.T) {
	l := mustOpen(t, memfs.New(), Options{})
	mustSave(t, l, raft.HardState{Term: 3, Vote: 2, Commit: 5}, makeEntries(1, 10, 3), nil)
	gap := makeEntries(12, 13, 3)
	bad := []struct {
		name string
		hs   raft.HardState
		ents []raft.Entry
		is   error
	}{
		{"gap", raft.HardState{}, gap, ErrInvalid},
		{"not contiguous", raft.HardState{}, append(makeEntries(11, 11, 3), gap[1:]...), ErrInvalid},
		{"overwrite committed", raft.HardState{}, makeEntries(5, 6, 4), ErrInvalid},
		{"term below previous", raft.HardState{}, makeEntries(11, 11, 2), ErrInvalid},
		{"term backwards", raft.HardState{Term: 2, Commit: 5}, nil, ErrInvalid},
		{"commit backwards", raft.HardState{Term: 3, Vote: 2, Commit: 4}, nil, ErrInvalid},
		{"commit beyond last", raft.HardState{Term: 3, Vote: 2, Commit: 11}, nil, ErrInvalid},
		{"second vote", raft.HardState{Term: 3, Vote: 1, Commit: 5}, nil, ErrVoteConflict},
		{"unknown type", raft.HardState{}, []raft.Entry{{Index: 11, Term: 3, Type: 9}}, ErrInvalid},
	}
	for _, tc := range bad {
		if err := l.Save(tc.hs, tc.ents, nil); !errors.Is(err, tc.is) {
			t.Fatalf("%s: Save = %v, want %v", tc.name, err, tc.is)
		}
	}
	// Nothing was changed and the Log is still usable.
	mustSave(t, l, raft.HardState{Term: 4, Vote: 1, Commit: 11}, makeEntries(11, 11, 4), nil)
	mustSync(t, l)
	if st := readState(t, l); len(st.Entries) != 11 || st.HS != (raft.HardState{Term: 4, Vote: 1, Commit: 11}) {
		t.Fatalf("after rejected saves: %d entries, %+v", len(st.Entries), st.HS)
	}
}

// Entries a snapshot in the same Save covers are skipped, as
// raft.MemoryStorage does.
func TestSaveSkipsCoveredEntries(t *testing.T) {
	l := mustOpen(t, memfs.New(), Options{})
	snap := testSnapshot(20, 2)
	mustSave(t, l, raft.HardState{Term: 2, Commit: 22}, makeEntries(15, 25, 2), &snap)
	want := state{HS: raft.HardState{Term: 2, Commit: 22}, Snap: snap, Entries: makeEntries(21, 25, 2)}
	if d := diffState(want, readState(t, l)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

// The vote survives a crash once Sync returned, and the recovered Log
// refuses to change it within the term.
func TestVoteDurableAfterSync(t *testing.T) {
	for seed := range uint64(50) {
		fs := memfs.New()
		l := mustOpen(t, fs, Options{})
		mustSave(t, l, raft.HardState{Term: 5, Vote: 2}, nil, nil)
		mustSync(t, l)
		mustSave(t, l, raft.HardState{Term: 5, Vote: 2, Commit: 0}, makeEntries(1, 3, 5), nil)
		c := fs.CrashClone(memfs.CrashOptions{Seed: seed, UnsyncedKeepProbability: 0.5,
			TornWriteProbability: 0.5, UnsyncedDirKeepProbability: 0.5})
		l2 := mustOpen(t, c, Options{})
		hs, _ := l2.InitialState()
		if hs.Term != 5 || hs.Vote != 2 {
			t.Fatalf("seed %d: recovered term %d vote %d, want 5 and 2", seed, hs.Term, hs.Vote)
		}
		if err := l2.Save(raft.HardState{Term: 5, Vote: 3}, nil, nil); !errors.Is(err, ErrVoteConflict) {
			t.Fatalf("seed %d: second vote in term 5: %v", seed, err)
		}
	}
}

func TestReopenAfterClose(t *testing.T) {
	l := mustOpen(t, memfs.New(), Options{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Save(raft.HardState{Term: 1}, nil, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Save after Close: %v", err)
	}
	if _, err := l.LastIndex(); !errors.Is(err, ErrClosed) {
		t.Fatalf("LastIndex after Close: %v", err)
	}
}

func TestOptionsValidated(t *testing.T) {
	if _, err := Open(memfs.New(), testDir, Options{SegmentBytes: 10}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("tiny segments: %v", err)
	}
	if _, err := Open(memfs.New(), "/abs", Options{}); err == nil {
		t.Fatal("absolute directory accepted")
	}
}

// The same life cycle on the real file system.
func TestOnOSFS(t *testing.T) {
	fs := osfs.New(t.TempDir())
	l := mustOpen(t, fs, smallSegments)
	mustSave(t, l, raft.HardState{Term: 1, Vote: 1, Commit: 20}, makeEntries(1, 30, 1), nil)
	mustSync(t, l)
	mustSave(t, l, raft.HardState{Term: 2, Vote: 2, Commit: 20}, makeEntries(25, 27, 2), nil)
	if err := l.Compact(testSnapshot(10, 1)); err != nil {
		t.Fatal(err)
	}
	want := state{HS: raft.HardState{Term: 2, Vote: 2, Commit: 20}, Snap: testSnapshot(10, 1),
		Entries: append(makeEntries(11, 24, 1), makeEntries(25, 27, 2)...)}
	l = reopen(t, l, fs, smallSegments)
	if d := diffState(want, readState(t, l)); d != "" {
		t.Fatalf("after reopen (-want +got):\n%s", d)
	}
	snap := testSnapshot(40, 3)
	mustSave(t, l, raft.HardState{Term: 3, Commit: 40}, makeEntries(41, 42, 3), &snap)
	mustSync(t, l)
	want = state{HS: raft.HardState{Term: 3, Commit: 40}, Snap: snap, Entries: makeEntries(41, 42, 3)}
	l = reopen(t, l, fs, smallSegments)
	if d := diffState(want, readState(t, l)); d != "" {
		t.Fatalf("after install and reopen (-want +got):\n%s", d)
	}
}
