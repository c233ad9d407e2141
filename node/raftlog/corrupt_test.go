package raftlog

import (
	"errors"
	"fmt"
	"testing"

	"jsnode/disk"
	"jsnode/disk/faultfs"
	"jsnode/disk/memfs"
	"jsnode/node/raft"
)

// syncedLog writes batches of entries, syncing after each, and returns
// the file system and the offset in the active segment where the last
// batch starts: every byte before it is covered by a later sync mark.
func syncedLog(t *testing.T, opts Options, batches int) (*memfs.FS, *Log, int64) {
	t.Helper()
	fs := memfs.New()
	l := mustOpen(t, fs, opts)
	mustSave(t, l, raft.HardState{Term: 1, Vote: 1}, nil, nil)
	var lastStart int64
	for b := range uint64(batches) {
		lastStart = l.active().size
		mustSave(t, l, raft.HardState{Term: 1, Vote: 1, Commit: b * 3}, makeEntries(b*3+1, b*3+3, 1), nil)
		mustSync(t, l)
	}
	if lastStart == segmentHeaderSize && len(l.segs) > 1 {
		lastStart = 0 // the last batch opened a new segment
	}
	return fs, l, lastStart
}

// openFlipped opens a copy of fs with one bit of name flipped.
func openFlipped(t *testing.T, fs *memfs.FS, name string, off int64, bit uint, opts Options) (*Log, error) {
	t.Helper()
	c := fs.Clone()
	if err := c.FlipBit(name, off, bit); err != nil {
		t.Fatal(err)
	}
	return Open(c, testDir, opts)
}

// Every single-bit flip in the synced part of the active segment that a
// later sync mark covers is reported, at the record that holds it.
func TestBitFlipInSyncedRecordsIsCorruption(t *testing.T) {
	fs, l, lastStart := syncedLog(t, Options{}, 6)
	name := l.active().name
	for off := range lastStart {
		_, err := openFlipped(t, fs, name, off, uint(off%8), Options{})
		ce := wantCorruption(t, err)
		if ce.File != name || ce.Offset > off || off-ce.Offset > recordHeaderSize+64 {
			t.Fatalf("flip at %d reported at %s:%d", off, ce.File, ce.Offset)
		}
	}
}

// A flip in the last batch cannot be told from a torn write: it is cut
// off, and what remains is an exact prefix of the log.
func TestBitFlipInLastBatchIsCutAsTorn(t *testing.T) {
	fs, l, lastStart := syncedLog(t, Options{}, 6)
	want := readState(t, l)
	name := l.active().name
	size := l.active().size
	torn := 0
	for off := lastStart; off < size; off++ {
		l2, err := openFlipped(t, fs, name, off, uint(off%8), Options{})
		if err != nil {
			wantCorruption(t, err) // a commit index beyond the cut log is reported
			continue
		}
		torn++
		got := readState(t, l2)
		if l2.Recovery().TornSegment != name || l2.Recovery().TornOffset > off {
			t.Fatalf("flip at %d: recovery %+v", off, l2.Recovery())
		}
		if len(got.Entries) > len(want.Entries) || diffState(state{Entries: want.Entries[:len(got.Entries)]}, state{Entries: got.Entries}) != "" {
			t.Fatalf("flip at %d: recovered entries are not a prefix", off)
		}
	}
	if torn == 0 {
		t.Fatal("no flip in the last batch was treated as a torn write")
	}
}

// Every flip anywhere in a sealed (non-final) segment is corruption.
func TestBitFlipInSealedSegmentIsCorruption(t *testing.T) {
	fs, l, _ := syncedLog(t, smallSegments, 12)
	if len(l.segs) < 3 {
		t.Fatalf("only %d segments", len(l.segs))
	}
	for _, seg := range l.segs[:len(l.segs)-1] {
		for off := range seg.size {
			_, err := openFlipped(t, fs, seg.name, off, uint(off%8), smallSegments)
			if ce := wantCorruption(t, err); ce.File != seg.name {
				t.Fatalf("flip in %s at %d reported in %s", seg.name, off, ce.File)
			}
		}
	}
}

func TestBitFlipInHardStateIsCorruption(t *testing.T) {
	fs, _, _ := syncedLog(t, Options{}, 2)
	name := testDir + "/" + hardStateFile
	info, err := fs.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	for off := range info.Size {
		for bit := range uint(8) {
			_, err := openFlipped(t, fs, name, off, bit, Options{})
			if ce := wantCorruption(t, err); ce.File != name {
				t.Fatalf("flip at %d reported in %s", off, ce.File)
			}
		}
	}
}

func TestBitFlipInSnapshotIsCorruption(t *testing.T) {
	fs, l, _ := syncedLog(t, Options{}, 4)
	if err := l.Compact(testSnapshot(6, 1)); err != nil {
		t.Fatal(err)
	}
	name := testDir + "/snap/" + snapshotName(1, 6)
	info, err := fs.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	for off := range info.Size {
		_, err := openFlipped(t, fs, name, off, uint(off%8), Options{})
		if ce := wantCorruption(t, err); ce.File != name {
			t.Fatalf("flip at %d reported in %s", off, ce.File)
		}
	}
}

// Cutting bytes off a sealed segment, or losing it, is corruption.
func TestDamagedSealedSegmentIsCorruption(t *testing.T) {
	fs, l, _ := syncedLog(t, smallSegments, 12)
	mid := l.segs[1]
	for _, cut := range []int64{1, 5, recordHeaderSize, mid.size - segmentHeaderSize} {
		c := fs.Clone()
		f, err := c.OpenReadWrite(mid.name)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(mid.size - cut); err != nil {
			t.Fatal(err)
		}
		_, err = Open(c, testDir, smallSegments)
		if ce := wantCorruption(t, err); ce.File != mid.name && ce.File != l.segs[2].name {
			t.Fatalf("cut of %d bytes reported in %s", cut, ce.File)
		}
	}
	c := fs.Clone()
	if err := c.Remove(mid.name); err != nil {
		t.Fatal(err)
	}
	_, err := Open(c, testDir, smallSegments)
	wantCorruption(t, err)
}

// Losing synced entries below the durable commit index is reported, not
// clamped: the node would otherwise claim a shorter log than it promised.
func TestCommitBeyondLogIsCorruption(t *testing.T) {
	fs := memfs.New()
	l := mustOpen(t, fs, Options{})
	mustSave(t, l, raft.HardState{Term: 1, Vote: 1, Commit: 10}, makeEntries(1, 10, 1), nil)
	mustSync(t, l)
	cut := l.meta(8).off // drop entries 8..10 and the commit record cleanly
	c := fs.Clone()
	f, err := c.OpenReadWrite(l.active().name)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(cut); err != nil {
		t.Fatal(err)
	}
	_, err = Open(c, testDir, Options{})
	if ce := wantCorruption(t, err); ce.File != testDir+"/"+hardStateFile {
		t.Fatalf("reported in %s", ce.File)
	}
}

// A segment of a newer lineage than the snapshot means a snapshot is
// missing.
func TestSegmentFromNewerLineageIsCorruption(t *testing.T) {
	fs := memfs.New()
	l := mustOpen(t, fs, Options{})
	snap := testSnapshot(20, 2)
	mustSave(t, l, raft.HardState{Term: 2, Commit: 20}, makeEntries(21, 22, 2), &snap)
	mustSync(t, l)
	c := fs.Clone()
	if err := c.Remove(testDir + "/snap/" + snapshotName(2, 20)); err != nil {
		t.Fatal(err)
	}
	_, err := Open(c, testDir, Options{})
	wantCorruption(t, err)
}

// switchInjector fails the selected operations while on.
type switchInjector struct {
	on  bool
	err error
	ops []faultfs.Op
}

func (s *switchInjector) MaybeError(op faultfs.Op, _ string) error {
	for _, o := range s.ops {
		if s.on && o == op {
			return s.err
		}
	}
	return nil
}

// failStopped checks that every writing call is refused with cause.
func failStopped(t *testing.T, l *Log, cause error) {
	t.Helper()
	for name, err := range map[string]error{
		"Save":    l.Save(raft.HardState{Term: 9}, nil, nil),
		"Sync":    l.Sync(),
		"Compact": l.Compact(testSnapshot(1, 1)),
	} {
		if !errors.Is(err, ErrFailed) || !errors.Is(err, cause) {
			t.Fatalf("%s after a failure: %v", name, err)
		}
	}
	if _, err := l.Entries(1, 2, 100); !errors.Is(err, ErrFailed) {
		t.Fatalf("Entries after a failure: %v", err)
	}
	if !errors.Is(l.Err(), cause) {
		t.Fatalf("Err() = %v", l.Err())
	}
}

func TestFailedSyncStopsTheLog(t *testing.T) {
	for _, ops := range [][]faultfs.Op{{faultfs.OpFileSync}, {faultfs.OpSyncDir}, {faultfs.OpRename}} {
		mem := memfs.New()
		inj := &switchInjector{err: disk.ErrIO, ops: ops}
		l := mustOpen(t, faultfs.Wrap(mem, inj), Options{})
		mustSave(t, l, raft.HardState{Term: 1, Vote: 1, Commit: 2}, makeEntries(1, 3, 1), nil)
		mustSync(t, l)
		inj.on = true
		// A new vote: Sync must write the hard-state file, so every op
		// kind above is on its path.
		if err := l.Save(raft.HardState{Term: 2, Vote: 3, Commit: 3}, makeEntries(4, 5, 2), nil); err != nil {
			t.Fatalf("%v: Save: %v", ops, err)
		}
		err := l.Sync()
		if !errors.Is(err, ErrFailed) || !errors.Is(err, disk.ErrIO) {
			t.Fatalf("%v: Sync = %v, want ErrFailed and disk.ErrIO", ops, err)
		}
		inj.on = false // even once the disk recovers, the log stays stopped
		failStopped(t, l, disk.ErrIO)
		// What was synced before survives; the failed Sync's data may or
		// may not, but the vote is one of the two saved.
		for seed := range uint64(20) {
			c := mem.CrashClone(memfs.CrashOptions{Seed: seed, UnsyncedKeepProbability: 0.5,
				TornWriteProbability: 0.5, UnsyncedDirKeepProbability: 0.5})
			st := readState(t, mustOpen(t, c, Options{}))
			if len(st.Entries) < 3 || st.HS.Commit < 2 {
				t.Fatalf("%v seed %d: lost synced state: %d entries, %+v", ops, seed, len(st.Entries), st.HS)
			}
			if v := [2]uint64{st.HS.Term, uint64(st.HS.Vote)}; v != [2]uint64{1, 1} && v != [2]uint64{2, 3} {
				t.Fatalf("%v seed %d: recovered term/vote %v", ops, seed, v)
			}
		}
	}
}

func TestDiskFullStopsTheLog(t *testing.T) {
	mem := memfs.New()
	inj := &switchInjector{err: disk.ErrNoSpace, ops: []faultfs.Op{faultfs.OpFileWrite}}
	l := mustOpen(t, faultfs.Wrap(mem, inj), smallSegments)
	mustSave(t, l, raft.HardState{Term: 1, Vote: 1, Commit: 2}, makeEntries(1, 3, 1), nil)
	mustSync(t, l)
	inj.on = true
	err := l.Save(raft.HardState{Term: 1, Vote: 1, Commit: 3}, makeEntries(4, 20, 1), nil)
	if !errors.Is(err, ErrFailed) || !errors.Is(err, disk.ErrNoSpace) {
		t.Fatalf("Save on a full disk = %v", err)
	}
	inj.on = false
	failStopped(t, l, disk.ErrNoSpace)
	st := readState(t, mustOpen(t, mem.CrashClone(memfs.CrashOptions{}), smallSegments))
	if len(st.Entries) != 3 {
		t.Fatalf("after reopen: %d entries, want the 3 synced", len(st.Entries))
	}
}

// Injecting one failure at every write-like operation of a workload in
// turn: the call fails with ErrFailed, and the state recovered from the
// disk afterwards keeps everything synced before.
func TestFailureAtEveryOperation(t *testing.T) {
	for n := 1; ; n++ {
		mem := memfs.New()
		inj := &armedInjector{err: disk.ErrIO}
		l := mustOpen(t, faultfs.Wrap(mem, inj), smallSegments)
		inj.countdown = n
		synced, err := failureWorkload(l)
		if !inj.fired {
			if err != nil {
				t.Fatalf("workload without faults: %v", err)
			}
			if n < 20 {
				t.Fatalf("the workload has only %d write operations", n)
			}
			return
		}
		if !errors.Is(err, ErrFailed) {
			t.Fatalf("fault at op %d: workload returned %v", n, err)
		}
		st := readState(t, mustOpen(t, mem.CrashClone(memfs.CrashOptions{}), smallSegments))
		if got := st.Snap.Meta.Index + uint64(len(st.Entries)); got < synced.last || st.HS.Term < synced.term {
			t.Fatalf("fault at op %d: recovered last %d term %d, synced %d term %d",
				n, got, st.HS.Term, synced.last, synced.term)
		}
	}
}

type syncedPoint struct{ last, term uint64 }

// failureWorkload appends, overwrites, rotates, compacts and installs,
// returning the last index and term known durable when it stopped.
func failureWorkload(l *Log) (syncedPoint, error) {
	var p syncedPoint
	steps := []struct {
		run    func() error
		synced bool   // the step ends with everything durable
		cut    uint64 // the step replaces entries after cut
	}{
		{run: func() error { return l.Save(raft.HardState{Term: 1, Vote: 1}, makeEntries(1, 12, 1), nil) }},
		{run: l.Sync, synced: true},
		{run: func() error { return l.Save(raft.HardState{Term: 2, Commit: 5}, makeEntries(6, 14, 2), nil) }, cut: 5},
		{run: l.Sync, synced: true},
		{run: func() error { return l.Compact(testSnapshot(4, 1)) }, synced: true},
		{run: func() error {
			snap := testSnapshot(30, 3)
			return l.Save(raft.HardState{Term: 3, Vote: 2, Commit: 30}, makeEntries(31, 33, 3), &snap)
		}},
		{run: l.Sync, synced: true},
	}
	for k, step := range steps {
		if step.cut > 0 {
			p.last = min(p.last, step.cut)
		}
		if err := step.run(); err != nil {
			return p, fmt.Errorf("step %d: %w", k, err)
		}
		if hs, _ := l.InitialState(); step.synced {
			p = syncedPoint{last: l.lastIndex(), term: hs.Term}
		}
	}
	return p, nil
}

// flipOnce damages the first read of one file that returns bytes past
// off: one bit, in the bytes at off or later.
type flipOnce struct {
	name string
	off  int
	done bool
}

func (f *flipOnce) MaybeError(faultfs.Op, string) error { return nil }

func (f *flipOnce) CorruptRead(op faultfs.Op, p string, b []byte) {
	if f.done || p != f.name || len(b) <= f.off {
		return
	}
	f.done = true
	b[len(b)-1-(len(b)-1-f.off)/2] ^= 0x10
}

// A read that returns damaged bytes the disk holds intact (a transient
// read error) is read again during recovery: the last batch, synced, is
// neither cut as torn nor reported as corruption.
func TestTransientReadDamageIsReadAgain(t *testing.T) {
	fs, l, lastStart := syncedLog(t, Options{}, 6)
	name := l.active().name
	want := readState(t, l)
	inj := &flipOnce{name: name, off: int(lastStart)}
	got := mustOpen(t, faultfs.Wrap(fs.Clone(), inj), Options{})
	if !inj.done {
		t.Fatal("the segment was never read")
	}
	rec := got.Recovery()
	if rec.Rereads != 1 || rec.TornSegment != "" {
		t.Fatalf("recovery %+v: want one reread and no torn tail", rec)
	}
	if d := diffState(want, readState(t, got)); d != "" {
		t.Fatalf("recovered state differs (-want +got):\n%s", d)
	}
}
