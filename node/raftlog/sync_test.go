package raftlog

import (
	"errors"
	"testing"

	"jsnode/disk"
	"jsnode/disk/faultfs"
	"jsnode/disk/memfs"
	"jsnode/node/raft"
)

// oneSegment keeps the fixture in one segment: no rotation syncs behind
// the test's back.
var oneSegment = Options{SegmentBytes: 1 << 20}

// asyncFixture is a log with entries 1..5 synced (term 1, vote 2, commit
// 3), then entries 6..9 and a new term and vote saved but not synced.
func asyncFixture(t *testing.T) (*memfs.FS, *Log, state) {
	t.Helper()
	mem := memfs.New()
	l := mustOpen(t, mem, oneSegment)
	mustSave(t, l, raft.HardState{Term: 1, Vote: 2, Commit: 3}, makeEntries(1, 5, 1), nil)
	mustSync(t, l)
	synced := readState(t, l)
	mustSave(t, l, raft.HardState{Term: 2, Vote: 3, Commit: 5}, makeEntries(6, 9, 2), nil)
	return mem, l, synced
}

// A crash after StartSync but before Work ran loses exactly what the
// sync had not covered yet: the log comes back as of the previous sync.
func TestAsyncSyncCrashBeforeWork(t *testing.T) {
	mem, l, synced := asyncFixture(t)
	if _, err := l.StartSync(); err != nil {
		t.Fatal(err)
	}
	_, back := crashed(t, mem, oneSegment)
	if d := diffState(synced, readState(t, back)); d != "" {
		t.Fatalf("after a crash before the work ran (-want +got):\n%s", d)
	}
}

// A crash after Work but before Finish keeps everything the job covered:
// entries, the new vote and the commit index.
func TestAsyncSyncCrashBeforeFinish(t *testing.T) {
	mem, l, _ := asyncFixture(t)
	want := readState(t, l)
	j, err := l.StartSync()
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Work(); err != nil {
		t.Fatal(err)
	}
	_, back := crashed(t, mem, oneSegment)
	if d := diffState(want, readState(t, back)); d != "" {
		t.Fatalf("after a crash between work and finish (-want +got):\n%s", d)
	}
	if err := j.Finish(nil); err != nil {
		t.Fatal(err)
	}
	if l.walDirDirty || l.active().dirty || l.hsFile != want.HS || l.commitDurable != 5 {
		t.Fatalf("markers not advanced: dirDirty %v, dirty %v, hsFile %+v, commitDurable %d",
			l.walDirDirty, l.active().dirty, l.hsFile, l.commitDurable)
	}
}

// While a sync is in flight the log serves reads and refuses changes.
func TestAsyncSyncRefusesChangesInFlight(t *testing.T) {
	_, l, _ := asyncFixture(t)
	j, err := l.StartSync()
	if err != nil {
		t.Fatal(err)
	}
	if ents, err := l.Entries(1, 10, ^uint64(0)); err != nil || len(ents) != 9 {
		t.Fatalf("Entries in flight: %d entries, %v", len(ents), err)
	}
	calls := map[string]error{
		"Save":      l.Save(raft.HardState{}, makeEntries(10, 10, 2), nil),
		"Sync":      l.Sync(),
		"Compact":   l.Compact(testSnapshot(3, 1)),
		"StartSync": func() error { _, err := l.StartSync(); return err }(),
	}
	for name, err := range calls {
		if !errors.Is(err, ErrSyncInFlight) {
			t.Errorf("%s in flight: %v, want ErrSyncInFlight", name, err)
		}
	}
	if err := j.Finish(j.Work()); err != nil {
		t.Fatal(err)
	}
	mustSave(t, l, raft.HardState{}, makeEntries(10, 10, 2), nil)
	mustSync(t, l)
}

// An error in Work fails the log at Finish, naming the step; nothing the
// job covered is believed durable.
func TestAsyncSyncWorkErrorFailsLog(t *testing.T) {
	mem := memfs.New()
	var armed bool
	fs := faultfs.Wrap(mem, faultfs.InjectorFunc(func(op faultfs.Op, _ string) error {
		if armed && op == faultfs.OpFileSync {
			return disk.ErrIO
		}
		return nil
	}))
	l := mustOpen(t, fs, oneSegment)
	mustSave(t, l, raft.HardState{Term: 1, Commit: 1}, makeEntries(1, 2, 1), nil)
	j, err := l.StartSync()
	if err != nil {
		t.Fatal(err)
	}
	armed = true
	werr := j.Work()
	if !errors.Is(werr, disk.ErrIO) {
		t.Fatalf("Work: %v, want ErrIO", werr)
	}
	if err := j.Finish(werr); !errors.Is(err, ErrFailed) || !errors.Is(err, disk.ErrIO) {
		t.Fatalf("Finish: %v, want ErrFailed wrapping ErrIO", err)
	}
	if l.commitDurable != 0 || l.active().durable == l.active().size {
		t.Fatalf("failed sync advanced markers: commitDurable %d, durable %d of %d",
			l.commitDurable, l.active().durable, l.active().size)
	}
	if _, err := l.LastIndex(); !errors.Is(err, ErrFailed) {
		t.Fatalf("log still usable after a failed sync: %v", err)
	}
}

// Finish after Close reports ErrClosed and changes nothing.
func TestAsyncSyncFinishAfterClose(t *testing.T) {
	_, l, _ := asyncFixture(t)
	j, err := l.StartSync()
	if err != nil {
		t.Fatal(err)
	}
	werr := j.Work()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Finish(werr); !errors.Is(err, ErrClosed) {
		t.Fatalf("Finish after Close: %v, want ErrClosed", err)
	}
}

// A sync with nothing to do captures nothing and finishes cleanly.
func TestAsyncSyncNothingToDo(t *testing.T) {
	mem := memfs.New()
	l := mustOpen(t, mem, oneSegment)
	mustSave(t, l, raft.HardState{Term: 1, Commit: 1}, makeEntries(1, 1, 1), nil)
	mustSync(t, l)
	j, err := l.StartSync()
	if err != nil {
		t.Fatal(err)
	}
	if j.f != nil || j.dir != "" || j.hsData != nil {
		t.Fatalf("clean log captured work: file %v, dir %q, hard state %v", j.f != nil, j.dir, j.hsData != nil)
	}
	if err := j.Finish(j.Work()); err != nil {
		t.Fatal(err)
	}
}
